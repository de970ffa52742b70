// npm run bench -- <suite...> [--json] [--threads N] [--seconds S] [--rounds R] [--backend cpu|webgpu]
import { parseArgs } from 'node:util';
import { backendNames } from '../ts/index.js';
import { gemmSuite } from './gemm.js';
import { geluSuite } from './gelu.js';
import { gruSuite } from './gru.js';
import { dispatchSuite, gruWebGpuSuite } from './gru_webgpu.js';
import { ingestSuite } from './ingest.js';
import { recSuite } from './rec.js';
import { recWebGpuSuite } from './rec_webgpu.js';
import { webgpuSuite } from './webgpu.js';
import type { SuiteOptions } from './report.js';

const SUITES: Record<string, (o: SuiteOptions) => Promise<void>> = {
  gemm: gemmSuite,
  gelu: geluSuite,
  gru: (o) => (o.backend === 'webgpu' ? gruWebGpuSuite(o) : gruSuite(o)),
  ingest: ingestSuite,
  webgpu: webgpuSuite,
  dispatch: dispatchSuite,
  rec: (o) => (o.backend === 'webgpu' ? recWebGpuSuite(o) : recSuite(o)),
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'cpu' },
  },
});
const names = positionals.length ? positionals : ['gemm', 'gru', 'ingest']; // webgpu and dispatch (Dawn), rec (Beauty.txt) only when named
const unknown = names.filter((n) => !SUITES[n]);
if (unknown.length) {
  process.stderr.write(`unknown suite(s): ${unknown.join(', ')} (available: ${Object.keys(SUITES).join(', ')})\n`);
  process.exit(2);
}
const threads = Number(values.threads),
  seconds = Number(values.seconds),
  rounds = Number(values.rounds);
if (!Number.isInteger(threads) || threads < 1 || !Number.isInteger(rounds) || rounds < 1 || !(seconds > 0)) {
  process.stderr.write('--threads and --rounds must be positive integers and --seconds a positive number\n');
  process.exit(2);
}
if (!backendNames().includes(values.backend!)) {
  process.stderr.write(`--backend must be one of ${backendNames().join(', ')}, got '${values.backend}'\n`);
  process.exit(2);
}
for (const n of names) await SUITES[n]!({ json: values.json!, threads, seconds, rounds, backend: values.backend! });
