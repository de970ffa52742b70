import { describe, expect, it } from 'vitest';
import { kernel, native, Rng, tensor } from '../ts/index.js';
import '../ts/backend/reference/index.js';
import { sid } from '../ts/backend/native/storage.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { implicitAls, interactionMatrix, INTERACTION_WEIGHTS, transpose, type Csr } from '../ts/ubp/als.js';
import { tinyCache } from './tiny_cache.js';
import { expectClose } from './harness.js';

// A 5×4 implicit matrix with a few observations.
const M: Csr = {
  rows: 5,
  cols: 4,
  indptr: BigInt64Array.from([0n, 2n, 3n, 3n, 5n, 6n]),
  indices: Int32Array.from([0, 2, 1, 0, 3, 2]),
  values: Float32Array.from([3, 1, 2, 1, 4, 1]),
};

/** The exact row update in float64: (YᵀY + Σ_j v_j y_j y_jᵀ + λI) x = Σ_j (1 + v_j) y_j, by Gaussian elimination. */
function exactRows(m: Csr, Y: Float64Array, K: number, lambda: number): Float64Array {
  const out = new Float64Array(m.rows * K);
  for (let i = 0; i < m.rows; i++) {
    const A = Array.from({ length: K }, (_, a) =>
      Array.from({ length: K + 1 }, (_, b) => {
        if (b === K) return 0;
        let s = a === b ? lambda : 0;
        for (let j = 0; j < m.cols; j++) s += Y[j * K + a]! * Y[j * K + b]!;
        return s;
      }),
    );
    for (let n = Number(m.indptr[i]); n < Number(m.indptr[i + 1]); n++) {
      const j = m.indices[n]!,
        v = m.values[n]!;
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) A[a]![b]! += v * Y[j * K + a]! * Y[j * K + b]!;
        A[a]![K]! += (1 + v) * Y[j * K + a]!;
      }
    }
    for (let c = 0; c < K; c++) {
      for (let r = c + 1; r < K; r++) {
        const f = A[r]![c]! / A[c]![c]!;
        for (let k = c; k <= K; k++) A[r]![k]! -= f * A[c]![k]!;
      }
    }
    for (let c = K - 1; c >= 0; c--) {
      let s = A[c]![K]!;
      for (let k = c + 1; k < K; k++) s -= A[c]![k]! * out[i * K + k]!;
      out[i * K + c] = s / A[c]![c]!;
    }
  }
  return out;
}

describe('implicit ALS (conjugate gradient)', () => {
  it('a half step with K CG iterations solves each row exactly', () => {
    const K = 3,
      rng = new Rng(4);
    const Yh = Float32Array.from({ length: M.cols * K }, () => rng.normal());
    const X = tensor(new Float32Array(M.rows * K), [M.rows, K]),
      Y = tensor(Yh, [M.cols, K]);
    native.alsHalfStep(M.indptr, M.indices, M.values, M.rows, sid(Y), M.cols, sid(X), K, 0.1, K);
    expectClose(X.toArray() as Float32Array, exactRows(M, Float64Array.from(Yh), K, 0.1), 1e-4, 1e-4, 'row factors');
    X.dispose();
    Y.dispose();
  });

  it('the alsHalfStep kernel: cpu matches the float64 reference for 1 to K CG steps, and the exact solve at K', () => {
    const K = 3,
      rng = new Rng(6);
    const Yh = Float32Array.from({ length: M.cols * K }, () => rng.normal()),
      Xh = Float32Array.from({ length: M.rows * K }, () => rng.normal());
    for (let steps = 1; steps <= K; steps++) {
      const on = (backend: string): Float32Array => {
        const X = tensor(Xh.slice(), [M.rows, K], { backend }),
          Y = tensor(Yh, [M.cols, K], { backend });
        kernel('alsHalfStep', X)(M, Y, X, 0.1, steps);
        const out = Float32Array.from(X.toArray() as ArrayLike<number>);
        X.dispose();
        Y.dispose();
        return out;
      };
      const ref = on('reference');
      expectClose(on('cpu'), ref, 1e-4, 1e-4, `${steps} CG steps`);
      if (steps === K) expectClose(ref, exactRows(M, Float64Array.from(Yh), K, 0.1), 1e-6, 1e-6, 'reference at K steps');
    }
  });

  it('transpose is its own inverse and keeps every entry', () => {
    const t = transpose(transpose(M));
    expect([Array.from(t.indptr), Array.from(t.indices), Array.from(t.values)]).toEqual([Array.from(M.indptr), Array.from(M.indices), Array.from(M.values)]);
  });

  it('the factors reconstruct the observed preferences above the unobserved ones', () => {
    const { users, items } = implicitAls(M, { factors: 4, iterations: 15, lambda: 0.01, alpha: 10, cgSteps: 4, seed: 1 });
    const score = (i: number, j: number): number => Array.from({ length: 4 }, (_, k) => users[i * 4 + k]! * items[j * 4 + k]!).reduce((a, b) => a + b);
    expect(score(0, 0)).toBeGreaterThan(score(0, 1));
    expect(score(3, 3)).toBeGreaterThan(score(3, 1));
  });

  it('rejects malformed matrices', () => {
    const X = tensor(new Float32Array(4), [1, 4]),
      Y = tensor(new Float32Array(8), [2, 4]);
    expect(() => native.alsHalfStep(BigInt64Array.from([0n, 1n]), Int32Array.from([5]), Float32Array.from([1]), 1, sid(Y), 2, sid(X), 4, 0.1, 3)).toThrow(
      /column index 5 at entry 0 is outside \[0, 2\)/,
    );
    expect(() => native.alsHalfStep(BigInt64Array.from([0n, 2n]), Int32Array.from([0]), Float32Array.from([1]), 1, sid(Y), 2, sid(X), 4, 0.1, 3)).toThrow(
      /indptr must start at 0 and end/,
    );
    X.dispose();
    Y.dispose();
  });

  it('interaction matrices: user×category (buy 3, add 1) and user×url (visits), rows in the order asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqcore-als-'));
    try {
      const cache = tinyCache(join(dir, 'events.seq')),
        rows = Int32Array.from([1, 0, -1, 2]);
      const cat = interactionMatrix(cache, rows, 'category', INTERACTION_WEIGHTS.category);
      expect(cat).toEqual({
        rows: 4,
        cols: 9,
        indptr: BigInt64Array.from([0n, 0n, 1n, 1n, 1n]),
        indices: Int32Array.from([8]),
        values: Float32Array.from([4]),
      });
      const url = interactionMatrix(cache, rows, 'url', INTERACTION_WEIGHTS.url);
      expect(url).toEqual({
        rows: 4,
        cols: 8,
        indptr: BigInt64Array.from([0n, 0n, 1n, 1n, 1n]),
        indices: Int32Array.from([7]),
        values: Float32Array.from([1]),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
