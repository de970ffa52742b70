// The speed part of the WebGPU device check (bench/device/webgpu-check.sh): one suite per
// process (each suite ends by destroying the backend it started):
//   --suite gemm: GEMM at --sizes (default 1024, 2048, 4096) and the embedding gradient
//                 (bench/webgpu.ts), webgpu beside the cpu backend;
//   --suite gru:  W1–W4 (bench/gru_workloads.ts; W2 is the UBP autoencoder step), the webgpu
//                 recurrence in whole-sequence kernels and by steps, beside the cpu backend
//                 (bench/gru_webgpu.ts);
//   --suite rec:  SASRec training on generated sequences of Beauty's shape (--users, default
//                 Beauty's 22,363), beside the cpu backend (bench/rec_webgpu.ts).
// The cpu reference runs on every core of the machine. Validate, then time: each suite checks
// its results against the cpu before timing. JSON lines as `npm run bench -- --json`.
// usage: node .device/js/bench/device/webgpu_bench.js --suite gemm|gru|rec [--sizes 1024,2048] [--users N] [--seconds S] [--rounds R]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { integer, number } from '../../ts/cli/flags.js';
import { gruWebGpuSuite } from '../gru_webgpu.js';
import { recWebGpuSuite } from '../rec_webgpu.js';
import { webgpuSuite } from '../webgpu.js';

const { values } = parseArgs({
  options: {
    suite: { type: 'string' },
    sizes: { type: 'string', default: '1024,2048,4096' },
    seconds: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
    users: { type: 'string', default: '22363' },
  },
});
const opts = {
  json: true,
  threads: availableParallelism(),
  seconds: number('--seconds', values.seconds, { min: 0, above: true }),
  rounds: integer('--rounds', values.rounds, 1, 100),
  backend: 'webgpu',
};
if (values.suite === 'gemm')
  await webgpuSuite(
    opts,
    values.sizes!.split(',').map((s) => integer('--sizes', s, 1, 16384)),
  );
else if (values.suite === 'gru') await gruWebGpuSuite(opts);
else if (values.suite === 'rec') await recWebGpuSuite(opts, integer('--users', values.users, 10, 10_000_000));
else {
  process.stderr.write(`--suite: expected gemm, gru or rec, got ${values.suite ?? 'none'}\n`);
  process.exit(2);
}
