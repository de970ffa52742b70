// Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations, in float64:
// exact to rounding and simple enough to check by eye; O(d³) per sweep, a handful of sweeps.
// Used for PCA of d ≤ a few hundred columns (the covariance itself is a native GEMM).

/** a: d×d symmetric, row-major (not modified) → eigenvalues descending, eigenvectors as the columns of d×d `vectors`. */
export function symmetricEigen(a: Float64Array, d: number, maxSweeps = 50): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== d * d) throw new RangeError(`symmetricEigen: expected ${d}×${d} = ${d * d} values, got ${a.length}`);
  const A = Float64Array.from(a),
    Vt = new Float64Array(d * d);
  for (let i = 0; i < d; i++) Vt[i * d + i] = 1;
  let scale = 0;
  for (const v of A) scale += v * v;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += A[p * d + q]! ** 2;
    if (off <= 1e-30 * scale) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = A[p * d + q]!;
        if (apq === 0) continue;
        // J = [[c, s], [-s, c]] in the (p, q) plane with t = s/c the smaller root of
        // t² + 2θt − 1 = 0, θ = (a_qq − a_pp) / 2a_pq, zeroes a_pq in JᵀAJ.
        const app = A[p * d + p]!,
          aqq = A[q * d + q]!,
          theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        // A ← JᵀAJ touches rows and columns p and q only; by symmetry update the rows
        // (contiguous) and mirror them into the columns. Vᵀ ← JᵀVᵀ (eigenvectors as rows).
        for (let k = 0; k < d; k++) {
          const apk = A[p * d + k]!,
            aqk = A[q * d + k]!;
          A[p * d + k] = A[k * d + p] = c * apk - s * aqk;
          A[q * d + k] = A[k * d + q] = s * apk + c * aqk;
          const vp = Vt[p * d + k]!,
            vq = Vt[q * d + k]!;
          Vt[p * d + k] = c * vp - s * vq;
          Vt[q * d + k] = s * vp + c * vq;
        }
        A[p * d + p] = app - t * apq;
        A[q * d + q] = aqq + t * apq;
        A[p * d + q] = A[q * d + p] = 0;
      }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => A[j * d + j]! - A[i * d + i]!);
  const values = Float64Array.from(order, (i) => A[i * d + i]!),
    vectors = new Float64Array(d * d);
  order.forEach((i, k) => {
    for (let r = 0; r < d; r++) vectors[r * d + k] = Vt[i * d + r]!;
  });
  return { values, vectors };
}
