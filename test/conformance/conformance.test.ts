// The conformance suite (./suite.ts) on every backend present: cpu; webgpu as in
// test/webgpu.test.ts, always (Mesa's llvmpipe gives machines without a GPU, CI's included,
// an adapter, so a webgpu that does not start fails here); any other backend that
// startBackend starts, else skipped with one line saying why (cuda: no GPU, no addon, or no
// backend registered under that name).
import { describe, it } from 'vitest';
import { startBackend } from '../../ts/index.js';
import { useWebGpu } from '../harness.js';
import { backendCases, coverageCase, type Case } from './suite.js';

const OPTIONAL = ['cuda'];

// Parity trains two models on two backends: seconds on llvmpipe, more than vitest's default 5.
const cases = (list: Case[]): void => list.forEach((c) => it(c.name, () => c.run(), 60_000));

describe('cpu', () => cases(backendCases('cpu')));

// The float64 oracle the op cases compare with has every kernel, with no skips.
describe('reference', () => cases([coverageCase('reference')]));

describe('webgpu', () => {
  useWebGpu();
  cases(backendCases('webgpu'));
});

for (const name of OPTIONAL) {
  const absent = await startBackend(name).then(
    () => null,
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  if (absent) console.log(`conformance: ${name} skipped: ${absent}`);
  else describe(name, () => cases(backendCases(name)));
}
