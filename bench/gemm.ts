// GEMM suite: seqcore's SGEMM vs torch.mm, GFLOP/s at square sizes and the GRU's shapes.
import { native, Rng } from '../ts/index.js';
import { bennyCase } from './benny_case.js';
import { TorchReference } from './reference.js';
import { report, type Row, type SuiteOptions } from './report.js';

const CASES: [number, number, number][] = [
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
  [2048, 2048, 2048],
  [256, 768, 256],
  [16384, 768, 64],
];

/** Validate before timing: a sample of C entries against float64 dot products. */
function validate(M: number, N: number, K: number): void {
  const rng = new Rng(M + N + K);
  const A = Float32Array.from({ length: M * K }, () => rng.normal()),
    B = Float32Array.from({ length: K * N }, () => rng.normal());
  const a = native.alloc(A.byteLength, true),
    b = native.alloc(B.byteLength, true),
    c = native.alloc(M * N * 4, true);
  native.write(a, A, 0);
  native.write(b, B, 0);
  native.gemm(false, false, M, N, K, 1, a, 0, K, b, 0, N, 0, c, 0, N);
  const C = new Float32Array(M * N);
  native.read(c, C, 0);
  for (let s = 0; s < 64; s++) {
    const i = rng.int(M),
      j = rng.int(N);
    let want = 0;
    for (let k = 0; k < K; k++) want += A[i * K + k]! * B[k * N + j]!;
    if (Math.abs(C[i * N + j]! - want) > 1e-3 * Math.sqrt(K)) throw new Error(`gemm ${M}x${N}x${K} is wrong at (${i}, ${j}): ${C[i * N + j]} vs ${want}`);
  }
  for (const id of [a, b, c]) native.free(id);
}

export async function gemmSuite(opts: SuiteOptions): Promise<void> {
  native.setThreads(opts.threads);
  const peak = native.peakGflops(0.5, opts.threads);
  for (const [M, N, K] of CASES) validate(M, N, K);
  const torch = await TorchReference.start(opts.threads);
  const rows: Row[] = [];
  try {
    for (const [M, N, K] of CASES) {
      const name = `${M}x${N}x${K}`,
        flops = 2 * M * N * K;
      const bufs = [native.alloc(M * K * 4, true), native.alloc(K * N * 4, true), native.alloc(M * N * 4, true)] as const;
      let ours = 0,
        ref: number | null = null;
      // Rounds alternate seqcore and PyTorch on the same case and each side keeps its best:
      // the machines here are shared, and a neighbour's burst should not decide a ratio.
      for (let round = 0; round < opts.rounds; round++) {
        const ops = await bennyCase(`gemm ${name}`, () => native.gemm(false, false, M, N, K, 1, bufs[0], 0, K, bufs[1], 0, N, 0, bufs[2], 0, N), opts);
        ours = Math.max(ours, (ops * flops) / 1e9);
        const r = await torch.run({ suite: 'gemm', case: [M, N, K], seconds: opts.seconds / 2 });
        if (r !== null) ref = Math.max(ref ?? 0, r);
      }
      bufs.forEach((id) => native.free(id));
      rows.push({ suite: 'gemm', case: name, ours, reference: ref, unit: 'GFLOP/s', extra: { '% peak': `${((100 * ours) / peak).toFixed(0)}%` } });
    }
  } finally {
    torch.close();
  }
  report(rows, opts.json, [
    `gemm (M×N×K, row-major, no transposes): seqcore ${native.isa().active}, ${opts.threads} threads; ` +
      `measured FP32 peak ${peak.toFixed(0)} GFLOP/s; best of ${opts.rounds} alternating rounds`,
    `reference: ${torch.label}`,
  ]);
}
