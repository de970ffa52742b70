// The conformance suite (test/conformance/suite.ts: op and optimizer cases, kernel coverage, training parity)
// under plain Node, for machines without the test tooling (bench/device/cuda-check.sh runs it
// compiled by bench/device/pack.sh). One JSON line per case:
//   {"suite":"conformance","backend","gru","case","ok","ms","error"?}
// gru: the GRU recurrence asked for: on cuda SEQCORE_GRU (auto, persistent or per-step), on
// webgpu SEQCORE_WEBGPU_GRU (sequence, the default, or steps).
// usage: node .device/js/bench/device/conformance.js [--backend NAME]   (default cuda)
// Exit status: 0 when every case passed, 1 otherwise (2: the backend did not start).
import { parseArgs } from 'node:util';
import { startBackend } from '../../ts/index.js';
import { backendCases } from '../../test/conformance/suite.js';
import { errorMessage } from '../report.js';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'cuda' } } });
const backend = values.backend!;
const line = (o: Record<string, unknown>): void => {
  const gru = backend === 'webgpu' ? process.env.SEQCORE_WEBGPU_GRU || 'sequence' : (process.env.SEQCORE_GRU ?? 'auto');
  process.stdout.write(`${JSON.stringify({ suite: 'conformance', backend, gru, ...o })}\n`);
};

let failed = 0;
try {
  await startBackend(backend);
} catch (e) {
  line({ case: 'start the backend', ok: false, ms: 0, error: errorMessage(e) });
  process.exit(2);
}
for (const c of backendCases(backend)) {
  const t0 = performance.now();
  let error: string | undefined;
  try {
    await c.run();
  } catch (e) {
    error = errorMessage(e);
    failed++;
  }
  line({ case: c.name, ok: error === undefined, ms: Math.round(performance.now() - t0), ...(error === undefined ? {} : { error }) });
}
process.exit(failed ? 1 : 0);
