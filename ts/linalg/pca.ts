// Principal component analysis: the covariance of the centred rows by one native GEMM
// (XᵀX / (n − 1)), its eigenvectors by Jacobi in float64, projection by a second GEMM.
// Components are sign-fixed (largest-magnitude coordinate positive) so results are
// reproducible across runs.
import * as ops from '../ops/index.js';
import { tensor, tidy } from '../tensor.js';
import { symmetricEigen } from './eigen.js';

export interface Pca {
  d: number;
  k: number;
  mean: Float32Array;
  /** k×d, rows are unit principal directions, by decreasing variance. */
  components: Float32Array;
  /** Variance along each component. */
  variance: Float64Array;
}

/** x: n×d (rows where present[i] is 0 are ignored) → the top k components. */
export function fitPca(x: Float32Array, n: number, d: number, k: number, present?: Uint8Array): Pca {
  if (x.length !== n * d) throw new RangeError(`fitPca: x has ${x.length} values, expected ${n}×${d}`);
  if (!(k >= 1 && k <= d)) throw new RangeError(`fitPca: k must be in 1..${d}, got ${k}`);
  const rows = present ? [...present.keys()].filter((i) => present[i]) : [...Array(n).keys()];
  if (rows.length < 2) throw new RangeError(`fitPca: needs at least 2 rows, got ${rows.length}`);
  const m = rows.length,
    mean64 = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean64[j] += x[r * d + j]!;
  const mean = Float32Array.from(mean64, (v) => v / m);
  const centred = new Float32Array(m * d);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) centred[i * d + j] = x[r * d + j]! - mean[j]!;
  });
  const cov = tidy(() => {
    const c = tensor(centred, [m, d]);
    return ops.matmul(c, c, { transA: true }).toArray() as Float32Array;
  });
  // Symmetrise (the GEMM's two triangles round differently) and scale.
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[i * d + j] = (cov[i * d + j]! + cov[j * d + i]!) / (2 * (m - 1));
  const { values, vectors } = symmetricEigen(a, d);
  const components = new Float32Array(k * d);
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(vectors[j * d + c]!) > Math.abs(big)) big = vectors[j * d + c]!;
    for (let j = 0; j < d; j++) components[c * d + j] = (big < 0 ? -1 : 1) * vectors[j * d + c]!;
  }
  return { d, k, mean, components, variance: values.slice(0, k) };
}

/** x: n×d → (x − mean) · componentsᵀ, n×k. */
export function applyPca(p: Pca, x: Float32Array, n: number): Float32Array {
  if (x.length !== n * p.d) throw new RangeError(`applyPca: x has ${x.length} values, expected ${n}×${p.d}`);
  const centred = Float32Array.from(x, (v, i) => v - p.mean[i % p.d]!);
  return tidy(() => ops.matmul(tensor(centred, [n, p.d]), tensor(p.components, [p.k, p.d]), { transB: true }).toArray() as Float32Array);
}
