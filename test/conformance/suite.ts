// The conformance suite every backend runs (as ggml's test-backend-ops and tfjs's shared
// backend tests): plain TypeScript without vitest, so a plain Node runner can run it where a
// GPU is (test/conformance/conformance.test.ts runs it under vitest). Each case throws an Error
// saying what differs. The backend must be started first (startBackend); cases read only with
// `await tensor.data()`, so backends that read asynchronously (webgpu) run them too.
import type { Case } from './case.js';
import { coverageCase } from './coverage.js';
import { goldenCase } from './golden.js';
import { opCases } from './ops.js';
import { optimCases } from './optim.js';
import { parityCases } from './parity.js';

export type { Case } from './case.js';
export { coverageCase } from './coverage.js';
export { goldenCase } from './golden.js';
export { opCases } from './ops.js';
export { optimCases } from './optim.js';
export { parityCases } from './parity.js';
export { SKIPS, type SkipList } from './skips.js';

/**
 * Everything a backend runs: the op cases, the optimizer kernels, the GRU against torch's golden fixture,
 * kernel coverage, and training parity with the cpu (other backends).
 */
export function backendCases(backend: string): Case[] {
  return [...opCases(backend), ...optimCases(backend), goldenCase(backend), coverageCase(backend), ...(backend === 'cpu' ? [] : parityCases(backend))];
}
