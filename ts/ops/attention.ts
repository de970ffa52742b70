import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { PackedLayout } from '../sequence/layout.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkDropout, checkFloat, checkRank, checkSameBackend, fail, fmt } from './check.js';
import { gemm } from './matmul.js';
import { globalRng } from '../rng.js';

export interface AttentionOptions {
  heads: number;
  /** Each position sees itself and earlier positions only (SASRec); else the whole sequence (BERT4Rec). */
  causal: boolean;
  /** Attention dropout: each softmax weight is dropped with probability p (kept ones scaled by 1/(1−p)); 0 = none (evaluation). */
  dropout?: number;
  /** The dropout mask's seed; drawn from the global generator when absent. */
  seed?: number;
}

/** c (M×N) = a·wᵀ + bias: the projections below, weights stored out×in as torch.nn.Linear. */
function project(a: Tensor, w: Tensor, bias: Tensor): Tensor {
  const c = gemm(a, w, false, true);
  kernel('addBias', c)(c, bias, c);
  return c;
}

/**
 * Multi-head self-attention over a packed batch, one node for the whole block:
 *   qkv = x·W_qkvᵀ + b_qkv   (total×3D; rows [q | k | v])
 *   a   = drop(softmax(q·kᵀ/√(D/heads))) · v within each sequence, per head   (total×D)
 *   y   = a·W_oᵀ + b_o       (total×D)
 * x: packed (total×D, any row order the layout describes); wQkv 3D×D, bQkv 3D, wO D×D, bO D.
 * No padding exists, so no mask is needed beyond causality. Kept for backward: qkv, a and the
 * per-sequence softmax (heads·L² floats per sequence, nothing for padding).
 */
export function selfAttention(x: Tensor, layout: PackedLayout, wQkv: Tensor, bQkv: Tensor, wO: Tensor, bO: Tensor, o: AttentionOptions): Tensor {
  const op = 'selfAttention';
  for (const [n, t] of [
    ['x', x],
    ['wQkv', wQkv],
    ['bQkv', bQkv],
    ['wO', wO],
    ['bO', bO],
  ] as const)
    checkFloat(op, n, t);
  checkSameBackend(op, x, wQkv, bQkv, wO, bO);
  checkRank(op, 'x', x, 2);
  const [total, D] = x.shape as [number, number];
  if (total !== layout.total) fail(op, `x ${fmt(x.shape)} must have ${layout.total} rows for this layout`);
  if (!Number.isInteger(o.heads) || o.heads < 1 || D % o.heads) fail(op, `hidden size ${D} must be a multiple of heads (${o.heads})`);
  const p = o.dropout ?? 0;
  checkDropout(op, 'dropout', p);
  const seed = p > 0 ? (o.seed ?? globalRng().nextUint32()) : 0;
  const want: [string, Tensor, number[]][] = [
    ['wQkv', wQkv, [3 * D, D]],
    ['bQkv', bQkv, [3 * D]],
    ['wO', wO, [D, D]],
    ['bO', bO, [D]],
  ];
  for (const [n, t, s] of want) if (t.shape.join() !== s.join()) fail(op, `${n} ${fmt(t.shape)} must be ${fmt(s)} for x ${fmt(x.shape)}`);
  const qkv = project(x, wQkv, bQkv);
  const a = alloc(x, [total, D]),
    probs = alloc(x, [kernel('attentionProbFloats', x)(layout, o.heads)]);
  kernel('attention', x)(qkv, layout, o.heads, o.causal, p, seed, a, probs);
  const y = project(a, wO, bO);
  record(
    op,
    [x, wQkv, bQkv, wO, bO],
    [y],
    ([g]) => {
      const dy = g!;
      const dWo = gemm(dy, a, true, false),
        dbO = alloc(dy, [D]),
        da = gemm(dy, wO, false, false);
      kernel('sumRows', dy)(dy, dbO);
      const dqkv = alloc(dy, [total, 3 * D]);
      kernel('attentionGrad', dy)(qkv, probs, da, layout, o.heads, o.causal, p, seed, dqkv);
      da.dispose();
      const dWqkv = gemm(dqkv, x, true, false),
        dbQkv = alloc(dy, [3 * D]);
      kernel('sumRows', dqkv)(dqkv, dbQkv);
      const dx = x.requiresGrad ? gemm(dqkv, wQkv, false, false) : null;
      dqkv.dispose();
      return [dx, dWqkv, dbQkv, dWo, dbO];
    },
    [qkv, a, probs],
  );
  return y;
}
