// What the device runners (cuda_bench.ts, gru_persistent.ts) share: JSON lines on stdout, the
// count of failed cases (their exit status), validation lines, timing, and PyTorch's process.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadCudaAddon, type CudaAddon } from '../../ts/backend/cuda/addon.js';
import { native, startBackend } from '../../ts/index.js';
import { errorMessage } from '../report.js';
import { build, time, WORKLOADS, type Step } from '../gru_workloads.js';

export const emit = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

let failures = 0;
/** A case that failed or did not run: its line, with ok false. */
export const failed = (o: Record<string, unknown>): void => {
  failures++;
  emit({ ...o, ok: false });
};
/** The exit status: 0 when no case failed, else 1. */
export const status = (): number => (failures ? 1 : 0);

/** Largest |got − want| and largest |want|. */
export function worst(got: ArrayLike<number>, want: ArrayLike<number>): { diff: number; scale: number } {
  let diff = got.length === want.length ? 0 : Infinity,
    scale = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    diff = d > diff || Number.isNaN(d) ? d : diff; // a NaN stays the worst
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return { diff, scale };
}

/** Largest max |g − w| ÷ max |w| over a workload's values (Workload.values). */
export function relativeError(got: Float32Array[], want: Float32Array[]): number {
  if (got.length !== want.length) return Infinity;
  return Math.max(
    ...got.map((g, i) => {
      const { diff, scale } = worst(g, want[i]!);
      return diff / Math.max(scale, 1e-30);
    }),
  );
}

/** One validation line; a failure counts. */
export function validated(name: string, impl: string, against: string, maxError: number, tolerance: number): boolean {
  const ok = maxError <= tolerance;
  (ok ? emit : failed)({ suite: 'validate', case: name, impl, against, maxError, tolerance, ok });
  return ok;
}

/** Workload.values() of a fresh workload `name` on `backend`. */
export async function valuesOn(backend: string, name: string, workloads = WORKLOADS): Promise<Float32Array[]> {
  const w = await build(backend, name, workloads);
  try {
    return await w.values();
  } finally {
    w.dispose();
  }
}

/** Median seconds per step over `repeats` runs of time() (bench/gru_workloads.ts). */
export async function median(w: Step, seconds: number, repeats: number, drain: () => Promise<void>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) t.push(await time(w, seconds, drain));
  return t.sort((x, y) => x - y)[Math.floor(t.length / 2)]!;
}

/**
 * bench/device/torch_cuda.py with `args` (run before seqcore, in its own process, so its
 * numbers survive a crash of ours): its JSON lines, parsed; a failure of the process counts.
 */
export function runTorch(python: string, args: string[], timeoutSeconds: number): Record<string, unknown>[] {
  const script = join(process.cwd(), 'bench', 'device', 'torch_cuda.py');
  const r = spawnSync(python, [script, ...args], { encoding: 'utf8', timeout: timeoutSeconds * 1000, maxBuffer: 1 << 24 });
  const lines = (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  if (r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
    failed({ suite: 'torch-info', error: `${python} ${script}: ${why}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` });
  }
  return lines;
}

/**
 * Starts the cuda backend and returns its addon, or emits why it did not start and exits with
 * status 2; the cpu addon gets every core (the cpu side of the validations).
 */
export async function startCuda(): Promise<CudaAddon> {
  native.setThreads(availableParallelism());
  try {
    await startBackend('cuda');
  } catch (e) {
    emit({ suite: 'cuda', case: 'start the cuda backend', ok: false, error: errorMessage(e) });
    process.exit(2);
  }
  const loaded = loadCudaAddon();
  if ('error' in loaded) throw new Error(loaded.error); // the backend started, so the addon loads
  return loaded.addon;
}
