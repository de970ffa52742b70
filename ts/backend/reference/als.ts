// The implicit-ALS half step in float64: the same conjugate-gradient iterations as the cpu
// kernel (native/cpu/als.cc), from the same warm start, with every product in float64.
import { registerKernels, type SparseRows } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData } from './backend.js';

function alsHalfStep(m: SparseRows, y: Tensor, x: Tensor, lambda: number, cgSteps: number): void {
  const Y = refData(y),
    X = refData(x),
    K = x.shape[1]!,
    cols = y.shape[0]!;
  const G = new Float64Array(K * K); // YᵀY + λI
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++) {
      let s = a === b ? lambda : 0;
      for (let j = 0; j < cols; j++) s += Y[j * K + a]! * Y[j * K + b]!;
      G[a * K + b] = s;
    }
  const dot = (u: Float64Array, v: Float64Array): number => u.reduce((s, ui, c) => s + ui * v[c]!, 0);
  for (let i = 0; i < m.rows; i++) {
    const from = Number(m.indptr[i]),
      to = Number(m.indptr[i + 1]);
    const yj = (n: number): Float64Array => Y.subarray(m.indices[n]! * K, (m.indices[n]! + 1) * K);
    const apply = (v: Float64Array): Float64Array => {
      // (G + Σ_j v_ij y_j y_jᵀ) v
      const out = new Float64Array(K);
      for (let a = 0; a < K; a++) out[a] = dot(G.subarray(a * K, (a + 1) * K), v);
      for (let n = from; n < to; n++) {
        const d = dot(yj(n), v) * m.values[n]!;
        yj(n).forEach((yc, c) => {
          out[c] += d * yc;
        });
      }
      return out;
    };
    const xi = X.slice(i * K, (i + 1) * K);
    const r = apply(xi).map((v) => -v); // r = b − A x, b = Σ_j c_ij y_j
    for (let n = from; n < to; n++)
      yj(n).forEach((yc, c) => {
        r[c] += (1 + m.values[n]!) * yc;
      });
    const p = r.slice();
    let rs = dot(r, r);
    for (let step = 0; step < cgSteps && rs > 1e-20; step++) {
      const Ap = apply(p),
        pAp = dot(p, Ap);
      if (pAp <= 0) break;
      const alpha = rs / pAp;
      for (let c = 0; c < K; c++) {
        xi[c] += alpha * p[c]!;
        r[c] -= alpha * Ap[c]!;
      }
      const next = dot(r, r);
      for (let c = 0; c < K; c++) p[c] = r[c]! + (next / rs) * p[c]!;
      rs = next;
    }
    X.set(xi, i * K);
  }
}

registerKernels('reference', { alsHalfStep });
