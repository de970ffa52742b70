// Self-attention over a packed batch in float64, written from the definitions one query at a
// time: the ground truth for native/cpu/attention.cc and kernels/attention.wgsl.
import type { PackedLayout } from '../../sequence/layout.js';
import type { Tensor } from '../../tensor.js';
import { registerKernels } from '../registry.js';
import { attentionLayoutFloats } from '../workspace.js';
import { refData } from './backend.js';
import { dropoutKeep } from './dropout.js';

/** For sorted sequence i: its length, the packed row of each step, and its probs offset. */
function sequences(layout: PackedLayout, heads: number): { L: number; rows: number[]; off: number }[] {
  const out = [];
  let off = 0;
  for (let i = 0; i < layout.batch; i++) {
    const L = layout.lengths[layout.sortedIndices[i]!]!;
    out.push({ L, rows: Array.from({ length: L }, (_, t) => layout.offsets[t]! + i), off });
    off += heads * L * L;
  }
  return out;
}

function attention(qkv: Tensor, layout: PackedLayout, heads: number, causal: boolean, dropout: number, seed: number, out: Tensor, probs: Tensor): void {
  const D = out.shape[1]!,
    dh = D / heads,
    X = refData(qkv),
    O = refData(out),
    P = refData(probs);
  const at = (row: number, part: number, h: number, d: number): number => X[row * 3 * D + part * D + h * dh + d]!;
  for (const { L, rows, off } of sequences(layout, heads))
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < L; t++) {
        const seen = causal ? t + 1 : L;
        const s = Array.from({ length: seen }, (_, k) => {
          let dot = 0;
          for (let d = 0; d < dh; d++) dot += at(rows[t]!, 0, h, d) * at(rows[k]!, 1, h, d);
          return dot / Math.sqrt(dh);
        });
        const mx = Math.max(...s),
          e = s.map((v) => Math.exp(v - mx)),
          z = e.reduce((a, b) => a + b, 0);
        const p = off + h * L * L + t * L;
        for (let k = 0; k < L; k++) P[p + k] = k < seen ? e[k]! / z : 0;
        for (let d = 0; d < dh; d++) {
          let o = 0;
          for (let k = 0; k < seen; k++) o += P[p + k]! * dropoutKeep(dropout, seed, p + k) * at(rows[k]!, 2, h, d);
          O[rows[t]! * D + h * dh + d] = o;
        }
      }
}

function attentionGrad(
  qkv: Tensor,
  probs: Tensor,
  dout: Tensor,
  layout: PackedLayout,
  heads: number,
  causal: boolean,
  dropout: number,
  seed: number,
  dqkv: Tensor,
): void {
  const D = dout.shape[1]!,
    dh = D / heads,
    X = refData(qkv),
    P = refData(probs),
    DO = refData(dout),
    G = refData(dqkv);
  const at = (row: number, part: number, h: number, d: number): number => X[row * 3 * D + part * D + h * dh + d]!;
  G.fill(0);
  const add = (row: number, part: number, h: number, d: number, v: number): void => {
    G[row * 3 * D + part * D + h * dh + d] += v;
  };
  for (const { L, rows, off } of sequences(layout, heads))
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < L; t++) {
        const seen = causal ? t + 1 : L,
          p = off + h * L * L + t * L;
        // With M the dropout multipliers: dP_tk = M_tk dO_t·v_k; dS_tk = P_tk (dP_tk − Σ_j P_tj dP_tj); dv_k = Σ_t P_tk M_tk dO_t
        const m = Array.from({ length: seen }, (_, k) => dropoutKeep(dropout, seed, p + k));
        const dp = Array.from({ length: seen }, (_, k) => {
          let s = 0;
          for (let d = 0; d < dh; d++) s += DO[rows[t]! * D + h * dh + d]! * at(rows[k]!, 2, h, d);
          return s * m[k]!;
        });
        const rowdot = dp.reduce((a, v, k) => a + P[p + k]! * v, 0);
        for (let k = 0; k < seen; k++) {
          const ds = (P[p + k]! * (dp[k]! - rowdot)) / Math.sqrt(dh);
          for (let d = 0; d < dh; d++) {
            add(rows[t]!, 0, h, d, ds * at(rows[k]!, 1, h, d));
            add(rows[k]!, 1, h, d, ds * at(rows[t]!, 0, h, d));
            add(rows[k]!, 2, h, d, P[p + k]! * m[k]! * DO[rows[t]! * D + h * dh + d]!);
          }
        }
      }
}

registerKernels('reference', { attention, attentionGrad, attentionProbFloats: attentionLayoutFloats });
