// The speed part of the CUDA device check (bench/device/cuda-check.sh): GEMM 4096³ and the GRU
// workloads W1–W4 (bench/gru_workloads.ts: forward + backward + Adam, W3 inference) on the cuda
// backend in fp32 and TF32, beside PyTorch on the same GPU in the same run
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
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCudaAddon, type CudaAddon } from '../../ts/backend/cuda/addon.js';
import { integer, number } from '../../ts/cli/flags.js';
import { native, Rng, startBackend } from '../../ts/index.js';
import { build, lengthsOf, time, WORKLOADS, type Workload } from '../gru_workloads.js';
import { errorMessage, report, type Row } from '../report.js';

const N = 4096;
const PRECISIONS = ['fp32', 'tf32'] as const;
type Precision = (typeof PRECISIONS)[number];
/** GEMM: max |C − C_cpu| allowed, times √K (bench/device/torch_cuda.py holds torch to the same against float64). */
const GEMM_TOLERANCE: Record<Precision, number> = { fp32: 1e-3, tf32: 1e-2 };
/** Gradients: max |g − g_cpu| ÷ max |g_cpu| allowed, per parameter (TF32 rounds GEMM inputs to 10 mantissa bits). */
const GRAD_TOLERANCE: Record<Precision, number> = { fp32: 1e-4, tf32: 2e-2 };
/** The workloads whose gradients are validated (W3 is W1's forward, without gradients). */
const VALIDATED = ['W1', 'W2', 'W4'];

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '0.25' }, repeats: { type: 'string', default: '5' },
    'torch-timeout': { type: 'string', default: '150' }, python: { type: 'string', default: 'python3' },
  },
});
const seconds = number('--seconds', values.seconds, { min: 0, above: true }), repeats = integer('--repeats', values.repeats, 1, 100);

const emit = (o: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };
/** Cases that failed or did not run (the exit status is 1 if any). */
let failures = 0;
const failed = (o: Record<string, unknown>): void => { failures++; emit({ ...o, ok: false }); };

/** Largest |got − want| and largest |want|. */
function worst(got: ArrayLike<number>, want: ArrayLike<number>): { diff: number; scale: number } {
  let diff = got.length === want.length ? 0 : Infinity, scale = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    diff = d > diff || Number.isNaN(d) ? d : diff; // a NaN stays the worst
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return { diff, scale };
}

/** PyTorch's lines (echoed), and its values by suite and case. */
function runTorch(): Map<string, number> {
  const script = join(process.cwd(), 'bench', 'device', 'torch_cuda.py');
  const r = spawnSync(values.python!, [script, '--gemm', String(N), '--lengths', JSON.stringify(lengthsOf('W4')), '--seconds', String(seconds), '--repeats', String(repeats)], {
    encoding: 'utf8', timeout: number('--torch-timeout', values['torch-timeout'], { min: 0, above: true }) * 1000, maxBuffer: 1 << 24,
  });
  const found = new Map<string, number>();
  for (const l of r.stdout?.split('\n') ?? []) {
    if (!l.startsWith('{')) continue;
    process.stdout.write(`${l}\n`);
    const o = JSON.parse(l) as { suite: string; case: string; value?: number };
    if (o.value !== undefined) found.set(`${o.suite} ${o.case}`, o.value);
  }
  if (r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
    failed({ suite: 'torch-info', error: `${values.python} ${script}: ${why}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` });
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

/** Median seconds per step of `w` on the cuda backend. */
async function median(w: Workload, cuda: CudaAddon): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) t.push(await time(w, seconds, async () => cuda.synchronize()));
  return t.sort((x, y) => x - y)[Math.floor(t.length / 2)]!;
}

const gradients = async (backend: string, name: string): Promise<Float32Array[]> => {
  const w = await build(backend, name);
  try {
    w.run();
    return await Promise.all(w.opt!.params.map((p) => (p.grad ? p.grad.float32Data() : new Float32Array(p.size))));
  } finally {
    w.dispose();
  }
};

function validated(name: string, impl: string, maxError: number, tolerance: number): boolean {
  const ok = maxError <= tolerance;
  (ok ? emit : failed)({ suite: 'validate', case: name, impl, against: 'cpu backend', maxError, tolerance, ok });
  return ok;
}

async function gemmCase(p: Precision, cuda: CudaAddon, A: Float32Array, B: Float32Array, want: Float32Array): Promise<number | null> {
  const name = `${N}x${N}x${N} ${p}`;
  if (!validated(`gemm ${name}`, 'seqcore', worst(product(cuda, A, B), want).diff, GEMM_TOLERANCE[p] * Math.sqrt(N))) return null;
  const ids = [A.byteLength, B.byteLength, A.byteLength].map((bytes) => cuda.alloc(bytes, true));
  const w: Workload = { seqs: 1, flops: 2 * N ** 3, run: () => cuda.gemm(false, false, N, N, N, 1, ids[0]!, 0, N, ids[1]!, 0, N, 0, ids[2]!, 0, N), opt: null, dispose: () => ids.forEach((id) => cuda.free(id)) };
  try {
    const s = await median(w, cuda);
    emit({ suite: 'gemm-cuda', case: name, impl: 'seqcore', value: w.flops / s / 1e9, unit: 'GFLOP/s', ms: 1000 * s });
    return w.flops / s / 1e9;
  } finally {
    w.dispose();
  }
}

async function gruCase(name: string, p: Precision, cuda: CudaAddon): Promise<number> {
  const w = await build('cuda', name);
  try {
    const s = await median(w, cuda);
    emit({ suite: 'gru-cuda', case: `${name} ${p}`, impl: 'seqcore', value: w.seqs / s, unit: 'seq/s', ms: 1000 * s });
    return w.seqs / s;
  } finally {
    w.dispose();
  }
}

const torch = runTorch();
try {
  await startBackend('cuda');
} catch (e) {
  emit({ suite: 'cuda', case: 'start the cuda backend', ok: false, error: errorMessage(e) });
  process.exit(2);
}
const loaded = loadCudaAddon();
if ('error' in loaded) throw new Error(loaded.error); // the backend started, so the addon loads
const cuda = loaded.addon;
native.setThreads(availableParallelism()); // the cpu side of the validation

const rng = new Rng(1);
const A = Float32Array.from({ length: N * N }, () => rng.normal()), B = Float32Array.from({ length: N * N }, () => rng.normal());
const wantC = product(native, A, B);
const wantGrads = new Map<string, Float32Array[]>();
for (const name of VALIDATED) wantGrads.set(name, await gradients('cpu', name));

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
      const got = await gradients('cuda', name), want = wantGrads.get(name)!;
      const err = Math.max(...got.map((g, i) => { const { diff, scale } = worst(g, want[i]!); return diff / Math.max(scale, 1e-30); }));
      if (validated(`gru ${name} ${p} gradients`, 'seqcore', err, GRAD_TOLERANCE[p])) valid.add(name);
    } catch (e) {
      failed({ suite: 'validate', case: `gru ${name} ${p} gradients`, impl: 'seqcore', error: errorMessage(e) });
    }
  }
  if (valid.has('W1')) valid.add('W3');
  for (const name of Object.keys(WORKLOADS).filter((n) => valid.has(n))) {
    try {
      row('gru-cuda', `${name} ${p}`, await gruCase(name, p, cuda), 'seq/s');
    } catch (e) {
      failed({ suite: 'gru-cuda', case: `${name} ${p}`, impl: 'seqcore', error: errorMessage(e) });
    }
  }
  cuda.emptyCache();
}
report(rows, true, []);
const about = `median of ${repeats} runs of ≥ ${seconds} s; reference: PyTorch on the same GPU; ratio = seqcore ÷ torch (> 1: seqcore faster)`;
for (const suite of ['gemm-cuda', 'gru-cuda']) report(rows.filter((r) => r.suite === suite), false, [`${suite}: ${about}`]);
process.exit(failures ? 1 : 0);
