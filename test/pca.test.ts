import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../ts/linalg/eigen.js';
import { applyPca, fitPca } from '../ts/linalg/pca.js';
import { Rng } from '../ts/rng.js';

const randomSymmetric = (d: number, rng: Rng): Float64Array => {
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = rng.normal();
  return a;
};

describe('symmetric eigen-decomposition (Jacobi)', () => {
  it('a 2×2 case by hand: [[2, 1], [1, 2]] has eigenvalues 3 and 1', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(Array.from(values)).toEqual([expect.closeTo(3, 12), expect.closeTo(1, 12)]);
    expect(Math.abs(vectors[0]!)).toBeCloseTo(Math.SQRT1_2, 12); // first column ∝ (1, 1)
    expect(vectors[0]! * vectors[2]!).toBeGreaterThan(0);
  });

  it('A V = V Λ, VᵀV = I and eigenvalues descending on a random 17×17 matrix', () => {
    const d = 17,
      a = randomSymmetric(d, new Rng(3));
    const { values, vectors: v } = symmetricEigen(a, d);
    for (let i = 1; i < d; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
    for (let i = 0; i < d; i++)
      for (let c = 0; c < d; c++) {
        let av = 0,
          vtv = 0;
        for (let k = 0; k < d; k++) {
          av += a[i * d + k]! * v[k * d + c]!;
          vtv += v[k * d + i]! * v[k * d + c]!;
        }
        expect(av).toBeCloseTo(v[i * d + c]! * values[c]!, 10);
        expect(vtv).toBeCloseTo(i === c ? 1 : 0, 12);
      }
  });
});

describe('PCA', () => {
  // Rows z·diag(5, 2, 1, 0.5, 0.1, 0.1)·R + (3, −1, …): the principal directions are the rows of
  // R, with variances 25 and 4 (up to sampling error).
  const d = 6,
    n = 6000,
    rng = new Rng(9);
  const R = symmetricEigen(randomSymmetric(d, rng), d).vectors; // orthonormal columns
  const sd = [5, 2, 1, 0.5, 0.1, 0.1],
    x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = sd.map((s) => s * rng.normal());
    for (let j = 0; j < d; j++) x[i * d + j] = z.reduce((acc, zk, k) => acc + zk * R[j * d + k]!, 0) + (j === 0 ? 3 : -1);
  }

  it('finds the planted directions and their variances', () => {
    const p = fitPca(x, n, d, 2);
    for (let c = 0; c < 2; c++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += p.components[c * d + j]! * R[j * d + c]!;
      expect(Math.abs(dot)).toBeGreaterThan(0.999);
    }
    expect(p.variance[0]! / 25).toBeCloseTo(1, 1);
    expect(p.variance[1]! / 4).toBeCloseTo(1, 1);
  });

  it('matches a float64 covariance computed directly, and projects to uncorrelated columns', () => {
    const p = fitPca(x, n, d, 3);
    const mean = new Float64Array(d),
      cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]! / n;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) cov[j * d + k] += ((x[i * d + j]! - mean[j]!) * (x[i * d + k]! - mean[k]!)) / (n - 1);
    const exact = symmetricEigen(cov, d).values;
    // float32 GEMM over 6000 rows against a float64 sum: relative agreement ~1e-5.
    for (let c = 0; c < 3; c++) expect(p.variance[c]! / exact[c]!).toBeCloseTo(1, 4);
    const y = applyPca(p, x, n);
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += (y[i * 3 + a]! * y[i * 3 + b]!) / (n - 1);
        expect(s / Math.sqrt(p.variance[a]! * p.variance[b]!)).toBeCloseTo(a === b ? 1 : 0, 3);
      }
  });

  it('ignores missing rows and rejects bad shapes', () => {
    const withJunk = new Float32Array((n + 1) * d);
    withJunk.set(x);
    withJunk.fill(1e6, n * d);
    const present = new Uint8Array(n + 1).fill(1);
    present[n] = 0;
    expect(Array.from(fitPca(withJunk, n + 1, d, 1, present).variance)).toEqual(Array.from(fitPca(x, n, d, 1).variance));
    expect(() => fitPca(x, n, d, 7)).toThrow(/k must be in 1\.\.6, got 7/);
    expect(() => fitPca(x, n, 5, 2)).toThrow(/x has 36000 values, expected 6000×5/);
  });
});
