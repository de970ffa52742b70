// Runs the PyTorch side of a suite (bench/torch_ref.py) and says plainly when the
// comparison is void: no Debian PyTorch, or PyTorch not on OpenBLAS.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native } from '../ts/index.js';

const PYTHON = '/usr/bin/python3';

export interface ReferenceRun {
  /** Results by case, or null when the reference could not run or is void. */
  results: Record<string, number> | null;
  /** What ran ("PyTorch 1.13.1, OpenBLAS core SkylakeX, 2 threads") or why nothing did. */
  label: string;
}

export function runTorch(suite: string, request: Record<string, unknown>, threads: number): ReferenceRun {
  if (!existsSync(PYTHON)) return { results: null, label: `no ${PYTHON}: PyTorch comparison skipped` };
  // Debian's OpenBLAS 0.3.21 does not recognise some newer CPUs (it picks its Prescott SSE3
  // kernels on this machine's Xeon, 4× slower); name the best core this CPU supports so the
  // reference runs at its strongest. OPENBLAS_VERBOSE=2 reports the core actually used.
  const best = native.isa().best;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_WAIT_POLICY: 'PASSIVE', // idle OpenMP threads otherwise spin against OpenBLAS's
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    OPENBLAS_VERBOSE: '2',
    ...(best === 'avx512' ? { OPENBLAS_CORETYPE: 'SkylakeX' } : best === 'avx2' ? { OPENBLAS_CORETYPE: 'Haswell' } : {}),
  };
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_ref.py');
  const r = spawnSync(PYTHON, [script, JSON.stringify({ suite, threads, ...request })], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    const why = /No module named 'torch'/.test(r.stderr) ? 'PyTorch is not installed (apt-get install python3-torch libopenblas0-pthread)' : r.stderr.trim().split('\n').slice(-3).join(' | ');
    return { results: null, label: `PyTorch reference failed: ${why}` };
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; blas: string; threads: number; results: Record<string, number> };
  const core = /Core: (\S+)/.exec(r.stdout + r.stderr)?.[1];
  if (out.blas !== 'openblas')
    return { results: null, label: `PyTorch ${out.torch} runs on ${out.blas}, not OpenBLAS: the comparison is void (apt-get install libopenblas0-pthread)` };
  return { results: out.results, label: `PyTorch ${out.torch}, OpenBLAS${core ? ` core ${core}` : ''}, ${out.threads} threads` };
}

/** Per case, the better of two runs (a void or failed run never replaces a real one). */
export function bestOf(a: ReferenceRun, b: ReferenceRun): ReferenceRun {
  if (!a.results) return b.results || !a.label ? b : a;
  if (!b.results) return a;
  const results: Record<string, number> = {};
  for (const k of Object.keys(b.results)) results[k] = Math.max(a.results[k] ?? 0, b.results[k]!);
  return { results, label: b.label };
}
