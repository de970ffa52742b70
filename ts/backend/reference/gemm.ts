// c (M×N) = alpha·op(a)·op(b) + beta·c with float64 sums; beta 0 never reads c.
import { registerKernels, type GemmOptions } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData } from './backend.js';

function dims2(t: Tensor, what: string): [number, number] {
  if (t.rank !== 2) throw new TypeError(`reference gemm: ${what} must be 2-D, got ${t.describe()}`);
  return [t.shape[0]!, t.shape[1]!];
}

function gemm(a: Tensor, b: Tensor, c: Tensor, o: GemmOptions): void {
  const [ar, ac] = dims2(a, 'a');
  const [br, bc] = dims2(b, 'b');
  const [M, N] = dims2(c, 'c');
  const K = o.transA ? ar : ac;
  if ((o.transA ? ac : ar) !== M || (o.transB ? bc : br) !== K || (o.transB ? br : bc) !== N)
    throw new TypeError(
      `reference gemm: op(a) of ${a.describe()} times op(b) of ${b.describe()} ` + `(transA ${o.transA}, transB ${o.transB}) does not give ${c.describe()}`,
    );
  const A = refData(a);
  const B = refData(b);
  const C = refData(c);
  // element strides of op(a) (i, k) and op(b) (k, j) in row-major storage
  const [ai, ak] = o.transA ? [1, M] : [K, 1];
  const [bk, bj] = o.transB ? [1, K] : [N, 1];
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[i * ai + k * ak]! * B[k * bk + j * bj]!;
      out[i * N + j] = o.beta === 0 ? o.alpha * s : o.alpha * s + o.beta * C[i * N + j]!;
    }
  C.set(out);
}

registerKernels('reference', { gemm });
