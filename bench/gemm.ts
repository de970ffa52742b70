// GEMM suite: seqcore's SGEMM vs torch.mm, GFLOP/s at square sizes and the GRU's shapes.
import b from 'benny';
import { native, Rng } from '../ts/index.js';
import { bestOf, runTorch, type ReferenceRun } from './reference.js';
import { quietStdout, report, type Row, type SuiteOptions } from './report.js';

const CASES: [number, number, number][] = [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [2048, 2048, 2048], [256, 768, 256], [16384, 768, 64]];

/** Validate before timing: a sample of C entries against float64 dot products. */
function validate(M: number, N: number, K: number): void {
  const rng = new Rng(M + N + K);
  const A = Float32Array.from({ length: M * K }, () => rng.normal()), B = Float32Array.from({ length: K * N }, () => rng.normal());
  const a = native.alloc(A.byteLength), bb = native.alloc(B.byteLength), c = native.alloc(M * N * 4);
  native.write(a, A, 0);
  native.write(bb, B, 0);
  native.gemm(false, false, M, N, K, 1, a, 0, K, bb, 0, N, 0, c, 0, N);
  const C = new Float32Array(M * N);
  native.read(c, C, 0);
  for (let s = 0; s < 64; s++) {
    const i = rng.int(M), j = rng.int(N);
    let want = 0;
    for (let k = 0; k < K; k++) want += A[i * K + k]! * B[k * N + j]!;
    if (Math.abs(C[i * N + j]! - want) > 1e-3 * Math.sqrt(K)) throw new Error(`gemm ${M}x${N}x${K} is wrong at (${i}, ${j}): ${C[i * N + j]} vs ${want}`);
  }
  for (const id of [a, bb, c]) native.free(id);
}

export async function gemmSuite(opts: SuiteOptions): Promise<void> {
  native.setThreads(opts.threads);
  const peak = native.peakGflops(0.5, opts.threads);
  for (const [M, N, K] of CASES) validate(M, N, K);
  const ours = new Map<string, number>();
  const buffers = new Map<string, number[]>();
  let ref: ReferenceRun = { results: null, label: '' };
  // Rounds alternate seqcore and PyTorch, and each side keeps its best round: the machines
  // here are shared, and a neighbour's burst should not decide a ratio.
  for (let round = 0; round < opts.rounds; round++) {
    await quietStdout(opts.json, () => b.suite(
      `gemm, round ${round + 1}/${opts.rounds}`,
      ...CASES.map(([M, N, K]) => b.add(`${M}x${N}x${K}`, () => {
        const bufs = [native.alloc(M * K * 4), native.alloc(K * N * 4), native.alloc(M * N * 4)] as const;
        buffers.set(`${M}x${N}x${K}`, [...bufs]);
        return () => native.gemm(false, false, M, N, K, 1, bufs[0], 0, K, bufs[1], 0, N, 0, bufs[2], 0, N);
      }, { minSamples: 5, maxTime: opts.seconds })),
      b.cycle(),
      b.complete((s) => { for (const r of s.results) ours.set(r.name, Math.max(ours.get(r.name) ?? 0, r.ops)); }),
    ));
    for (const ids of buffers.values()) ids.forEach((id) => native.free(id));
    buffers.clear();
    ref = bestOf(ref, runTorch('gemm', { cases: CASES, seconds: opts.seconds / 2 }, opts.threads));
  }
  const rows: Row[] = CASES.map(([M, N, K]) => {
    const name = `${M}x${N}x${K}`, gf = (ours.get(name)! * 2 * M * N * K) / 1e9;
    return { suite: 'gemm', case: name, ours: gf, reference: ref.results?.[name] ?? null, unit: 'GFLOP/s', extra: { '% peak': `${((100 * gf) / peak).toFixed(0)}%` } };
  });
  report(rows, opts.json, [
    `gemm (M×N×K, row-major, no transposes): seqcore ${native.isa().active}, ${opts.threads} threads, best of ${opts.rounds} rounds each; measured FP32 peak ${peak.toFixed(0)} GFLOP/s`,
    `reference: ${ref.label}`,
  ]);
}
