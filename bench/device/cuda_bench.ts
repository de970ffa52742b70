// The speed part of the CUDA device check (bench/device/cuda-check.sh): GEMM 4096³ and the GRU
// workloads W1–W4 (bench/gru_workloads.ts: forward + backward + Adam, W3 inference) on the cuda
// backend in fp32, TF32 and bf16 (GEMM inputs rounded to bfloat16), beside PyTorch on the same
// GPU in the same run (bf16: torch.set_float32_matmul_precision('medium') for the GEMM,
// torch.autocast(bfloat16) for the GRU)
// (bench/device/torch_cuda.py: torch.matmul, torch.nn.GRU on cuDNN), run first, in its own
// process, so its numbers survive a crash of ours.
// Validate, then time (as llm.c does): seqcore's GEMM output and each training workload's
// gradients are checked against the cpu backend on the same inputs, and only a case that
// passes is timed. Each time is the median of --repeats runs of time() (bench/gru_workloads.ts).
// JSON lines, one object each:
//   {"suite":"validate","case","impl","against","maxError","tolerance","ok"}
//   {"suite":"gemm-cuda"|"gru-cuda","case","impl":"seqcore"|"torch","value","unit","ms"}
//   {"suite":"gemm-cuda"|"gru-cuda","case","ours","reference","ratio","unit"}   the summary (bench/report.ts)
// then the summary as a table. Run from the repository root:
//   node .device/js/bench/device/cuda_bench.js [--seconds S] [--repeats R] [--torch-timeout S] [--python python3]
// Exit status: 0 when every case validated and ran on both sides, 1 otherwise, 2 when the cuda
// backend did not start.
import { parseArgs } from 'node:util';
import type { CudaAddon } from '../../ts/backend/cuda/addon.js';
import { integer, number } from '../../ts/cli/flags.js';
import { native, Rng } from '../../ts/index.js';
import { build, lengthsOf, WORKLOADS } from '../gru_workloads.js';
import { errorMessage, report, type Row } from '../report.js';
import { emit, failed, median, relativeError, runTorch, startCuda, status, validated, valuesOn, worst } from './harness.js';

const N = 4096;
const PRECISIONS = ['fp32', 'tf32', 'bf16'] as const;
type Precision = (typeof PRECISIONS)[number];
/**
 * GEMM: max |C − C_cpu| allowed, times √K (bench/device/torch_cuda.py holds torch to the same
 * against float64). TF32 rounds the inputs to 10 mantissa bits, bfloat16 to 7: 8× TF32's error.
 */
const GEMM_TOLERANCE: Record<Precision, number> = { fp32: 1e-3, tf32: 1e-2, bf16: 8e-2 };
/** Gradients: max |g − g_cpu| ÷ max |g_cpu| allowed, per parameter (rounded GEMM inputs, as above). */
const GRAD_TOLERANCE: Record<Precision, number> = { fp32: 1e-4, tf32: 2e-2, bf16: 1.6e-1 };
/** The workloads whose gradients are validated (W3 is W1's forward, without gradients). */
const VALIDATED = ['W1', 'W2', 'W4'];

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '0.25' },
    repeats: { type: 'string', default: '5' },
    'torch-timeout': { type: 'string', default: '150' },
    python: { type: 'string', default: 'python3' },
  },
});
const seconds = number('--seconds', values.seconds, { min: 0, above: true }),
  repeats = integer('--repeats', values.repeats, 1, 100);

/** PyTorch's lines (echoed), and its values by suite and case. */
function runTorchSide(): Map<string, number> {
  const args = [
    '--gemm',
    String(N),
    '--precisions',
    PRECISIONS.join(','),
    '--lengths',
    JSON.stringify(lengthsOf('W4')),
    '--seconds',
    String(seconds),
    '--repeats',
    String(repeats),
  ];
  const found = new Map<string, number>();
  for (const o of runTorch(values.python!, args, number('--torch-timeout', values['torch-timeout'], { min: 0, above: true }))) {
    emit(o);
    if (o.value !== undefined) found.set(`${o.suite} ${o.case}`, o.value as number);
  }
  return found;
}

/** C = A·B (N×N, row-major) on an addon (cpu or cuda: the same storage and gemm entry points). */
function product(d: Pick<CudaAddon, 'alloc' | 'free' | 'write' | 'read' | 'gemm'>, A: Float32Array, B: Float32Array): Float32Array {
  const [a, b, c] = [d.alloc(A.byteLength, false), d.alloc(B.byteLength, false), d.alloc(A.byteLength, false)];
  d.write(a, A, 0);
  d.write(b, B, 0);
  d.gemm(false, false, N, N, N, 1, a, 0, N, b, 0, N, 0, c, 0, N);
  const C = new Float32Array(N * N);
  d.read(c, C, 0);
  for (const id of [a, b, c]) d.free(id);
  return C;
}

async function gemmCase(p: Precision, cuda: CudaAddon, A: Float32Array, B: Float32Array, want: Float32Array): Promise<number | null> {
  const name = `${N}x${N}x${N} ${p}`;
  if (!validated(`gemm ${name}`, 'seqcore', 'cpu backend', worst(product(cuda, A, B), want).diff, GEMM_TOLERANCE[p] * Math.sqrt(N))) return null;
  const ids = [A.byteLength, B.byteLength, A.byteLength].map((bytes) => cuda.alloc(bytes, true));
  const w = {
    seqs: 1,
    flops: 2 * N ** 3,
    run: () => cuda.gemm(false, false, N, N, N, 1, ids[0]!, 0, N, ids[1]!, 0, N, 0, ids[2]!, 0, N),
    opt: null,
    dispose: () => ids.forEach((id) => cuda.free(id)),
  };
  try {
    const s = await median(w, seconds, repeats, drain);
    emit({ suite: 'gemm-cuda', case: name, impl: 'seqcore', value: w.flops / s / 1e9, unit: 'GFLOP/s', ms: 1000 * s });
    return w.flops / s / 1e9;
  } finally {
    w.dispose();
  }
}

async function gruCase(name: string, p: Precision): Promise<number> {
  const w = await build('cuda', name);
  try {
    const s = await median(w, seconds, repeats, drain);
    emit({ suite: 'gru-cuda', case: `${name} ${p}`, impl: 'seqcore', value: w.seqs / s, unit: 'seq/s', ms: 1000 * s });
    return w.seqs / s;
  } finally {
    w.dispose();
  }
}

const torch = runTorchSide();
const cuda = await startCuda();
const drain = async (): Promise<void> => cuda.synchronize();

const rng = new Rng(1);
const A = Float32Array.from({ length: N * N }, () => rng.normal()),
  B = Float32Array.from({ length: N * N }, () => rng.normal());
const wantC = product(native, A, B);
const wantGrads = new Map<string, Float32Array[]>();
for (const name of VALIDATED) wantGrads.set(name, await valuesOn('cpu', name));

const rows: Row[] = [];
const row = (suite: string, name: string, ours: number | null, unit: string): void => {
  if (ours !== null) rows.push({ suite, case: name, ours, reference: torch.get(`${suite} ${name}`) ?? null, unit });
};
for (const p of PRECISIONS) {
  cuda.setPrecision(p);
  try {
    row('gemm-cuda', `${N}x${N}x${N} ${p}`, await gemmCase(p, cuda, A, B, wantC), 'GFLOP/s');
  } catch (e) {
    failed({ suite: 'gemm-cuda', case: `${N}x${N}x${N} ${p}`, impl: 'seqcore', error: errorMessage(e) });
  }
  const valid = new Set<string>();
  for (const name of VALIDATED) {
    try {
      const err = relativeError(await valuesOn('cuda', name), wantGrads.get(name)!);
      if (validated(`gru ${name} ${p} gradients`, 'seqcore', 'cpu backend', err, GRAD_TOLERANCE[p])) valid.add(name);
    } catch (e) {
      failed({ suite: 'validate', case: `gru ${name} ${p} gradients`, impl: 'seqcore', error: errorMessage(e) });
    }
  }
  if (valid.has('W1')) valid.add('W3');
  for (const name of Object.keys(WORKLOADS).filter((n) => valid.has(n))) {
    try {
      row('gru-cuda', `${name} ${p}`, await gruCase(name, p), 'seq/s');
    } catch (e) {
      failed({ suite: 'gru-cuda', case: `${name} ${p}`, impl: 'seqcore', error: errorMessage(e) });
    }
  }
  cuda.emptyCache();
}
report(rows, true, []);
const about = `median of ${repeats} runs of ≥ ${seconds} s; reference: PyTorch on the same GPU; ratio = seqcore ÷ torch (> 1: seqcore faster)`;
for (const suite of ['gemm-cuda', 'gru-cuda'])
  report(
    rows.filter((r) => r.suite === suite),
    false,
    [`${suite}: ${about}`],
  );
process.exit(status());
