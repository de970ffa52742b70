// Self-attention over a packed batch on webgpu (kernels/attention.wgsl): two dispatches
// forward (the softmax, then the weighted sum), two backward (the score gradients into a
// scratch the size of probs, then q, k and v's gradients per row). The QKV and output
// projections are GEMMs of the op (ts/ops/attention.ts).
import type { PackedLayout } from '../../sequence/layout.js';
import { tensor, type Tensor } from '../../tensor.js';
import { registerKernels } from '../registry.js';
import { attentionLayoutFloats } from '../workspace.js';
import { gpu, scratch } from './backend.js';

/** kernels/attention.wgsl's idx ([t, i] per packed row, offsets, sorted lengths, probs offsets) and its Params. */
function attentionIndex(on: Tensor, layout: PackedLayout, D: number, heads: number, causal: boolean, dropout: number, seed: number) {
  const { total, batch: B, maxLength: T, offsets, batchSizes, sortedIndices, lengths } = layout;
  const ob = 2 * total,
    lb = ob + T + 1,
    pb = lb + B;
  const idx = new Int32Array(pb + B);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < batchSizes[t]!; i++) {
      idx[2 * (offsets[t]! + i)] = t;
      idx[2 * (offsets[t]! + i) + 1] = i;
    }
  idx.set(offsets, ob);
  let p = 0;
  for (let i = 0; i < B; i++) {
    const L = lengths[sortedIndices[i]!]!;
    idx[lb + i] = L;
    idx[pb + i] = p;
    p += heads * L * L;
  }
  if (p > 0x7fffffff) throw new RangeError(`webgpu attention: ${p} softmax entries do not fit int32 offsets; split the batch`);
  const params = { total, d: D, heads, causal: +causal, ob, lb, pb, scale: 1 / Math.sqrt(D / heads), p: dropout, seed: seed >>> 0, keep: 1 / (1 - dropout) };
  return { idx: tensor(idx, [idx.length], { dtype: 'int32', backend: on.backend }), params };
}

registerKernels('webgpu', {
  attentionProbFloats: attentionLayoutFloats,
  attention(qkv, layout, heads, causal, dropout, seed, out, probs) {
    const b = gpu(out),
      { idx, params: p } = attentionIndex(qkv, layout, out.shape[1]!, heads, causal, dropout, seed);
    b.dispatch1d('attention', 'attn_probs', [qkv, idx, probs], p, layout.total * heads);
    b.dispatch1d('attention', 'attn_out', [qkv, idx, probs, out], p, layout.total * heads);
    idx.dispose();
  },
  attentionGrad(qkv, probs, dout, layout, heads, causal, dropout, seed, dqkv) {
    const b = gpu(dqkv),
      { idx, params: p } = attentionIndex(qkv, layout, dout.shape[1]!, heads, causal, dropout, seed);
    const ds = scratch(qkv, attentionLayoutFloats(layout, heads));
    b.dispatch1d('attention', 'attn_grad_scores', [qkv, idx, probs, dout, ds], p, layout.total * heads);
    b.dispatch1d('attention', 'attn_grad_qkv', [qkv, idx, probs, dout, ds, dqkv], p, layout.total * heads);
    ds.dispose();
    idx.dispose();
  },
});
