import { afterAll, describe, it } from 'vitest';
import { kernel, native, Rng, Tensor, tensor } from '../ts/index.js';
import '../ts/backend/reference/index.js';
import { expectClose, randn, values } from './harness.js';

// Every SIMD path this CPU has, each on 1 and 2 threads, every transpose combination, on
// shapes that are not a multiple of any tile (MR 4/6/12, NR 8/16/32, KC 256).
const best = native.isa().best;
const ISAS = (['avx512', 'avx2', 'scalar'] as const).filter((i) => best === 'avx512' || (best === 'avx2' ? i !== 'avx512' : i === 'scalar'));
// 3×2050×390 spans several column blocks (NC 1024) and depth slices (KC 384).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [17, 33, 5],
  [13, 37, 300],
  [100, 65, 257],
  [2, 129, 3],
  [64, 1, 70],
  [300, 31, 513],
  [3, 2050, 390],
];
const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

function operands(M: number, N: number, K: number, ta: boolean, tb: boolean, backend: string, seed: number) {
  const rng = new Rng(seed);
  const a = tensor(randn([M * K], rng), ta ? [K, M] : [M, K], { backend });
  const b = tensor(randn([K * N], rng), tb ? [N, K] : [K, N], { backend });
  const c = tensor(randn([M * N], rng), [M, N], { backend });
  return [a, b, c] as const;
}

afterAll(() => {
  native.setIsa(best as 'avx512');
  native.setThreads(2);
});

describe('sgemm against the reference', () => {
  for (const isa of ISAS)
    for (const threads of [1, 2])
      it(`${isa}, ${threads} thread(s): every transpose on awkward shapes, alpha and beta`, () => {
        native.setIsa(isa);
        native.setThreads(threads);
        for (const [M, N, K] of SHAPES)
          for (const [transA, transB] of TRANS)
            for (const [alpha, beta] of [
              [1, 0],
              [0.5, 1],
              [-2, 0.25],
            ] as const) {
              const seed = M * 7 + N * 13 + K;
              const [a, b, c] = operands(M, N, K, transA, transB, 'cpu', seed);
              const [ra, rb, rc] = operands(M, N, K, transA, transB, 'reference', seed);
              kernel('gemm', 'cpu')(a, b, c, { transA, transB, alpha, beta });
              kernel('gemm', 'reference')(ra, rb, rc, { transA, transB, alpha, beta });
              // float32 sums of K products: error grows like √K·ε·|terms|.
              expectClose(
                values(c),
                values(rc),
                2e-5 * Math.sqrt(K) * Math.abs(alpha) + 1e-6,
                1e-4,
                `${isa}/${threads}t ${M}×${N}×${K} tA=${transA} tB=${transB} α=${alpha} β=${beta}`,
              );
              for (const t of [a, b, c, ra, rb, rc]) t.dispose();
            }
      });

  it('beta = 0 ignores NaN already in C', () => {
    const a = tensor(new Float32Array([1, 2]), [1, 2]),
      b = tensor(new Float32Array([3, 4]), [2, 1]);
    const c = tensor(new Float32Array([NaN]), [1, 1]);
    kernel('gemm', 'cpu')(a, b, c, { transA: false, transB: false, alpha: 1, beta: 0 });
    expectClose(c.toArray() as Float32Array, [11], 0, 0, 'beta 0');
    for (const t of [a, b, c] as Tensor[]) t.dispose();
  });

  it('K = 0 scales C by beta', () => {
    const a = Tensor.empty([2, 0]),
      b = Tensor.empty([0, 3]);
    const c = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    kernel('gemm', 'cpu')(a, b, c, { transA: false, transB: false, alpha: 1, beta: 2 });
    expectClose(c.toArray() as Float32Array, [2, 4, 6, 8, 10, 12], 0, 0, 'K = 0');
    for (const t of [a, b, c]) t.dispose();
  });
});
