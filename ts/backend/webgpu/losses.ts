// Losses: fused softmax cross-entropy (kernels/softmax_xent.wgsl), mean squared error,
// binary cross-entropy on logits and row-wise cosine similarity (kernels/losses.wgsl).
// A dispatch writes only its last tensor, so kernels with several outputs are several
// dispatches. One-element results are reduced in a fixed order (deterministic): per-chunk
// partial sums into a scratch tensor, then one workgroup over the partials.
import { registerKernels } from '../registry.js';
import { rowsCols } from '../backend.js';
import type { Tensor } from '../../tensor.js';
import { gpu, rowGroups, scratch, WORKGROUP } from './backend.js';

/** Elements (rows for softmaxXent) per workgroup of the *_partial kernels (their CHUNK). */
const CHUNK = WORKGROUP * 256;
/** out (1) = Σ f(a_i, b_i) / n by the `entry` partial kernel of losses.wgsl. */
function fullMean(entry: 'mse_partial' | 'bce_partial', a: Tensor, b: Tensor, out: Tensor): void {
  const be = gpu(out),
    n = a.size,
    groups = Math.ceil(n / CHUNK);
  const partials = scratch(out, groups),
    params = { n, d: 0, sign: 0, eps: 0 };
  be.dispatch('losses', entry, [a, b, partials], params, rowGroups(groups));
  be.dispatch('losses', 'mean_partials', [partials, out], params, [1]);
  partials.dispose();
}

function cosineGradOf(a: Tensor, b: Tensor, dout: Tensor, d: Tensor, eps: number): void {
  const [N, D] = rowsCols(a);
  gpu(d).dispatch('losses', 'cosine_grad', [a, b, dout, d], { n: N, d: D, sign: 0, eps }, rowGroups(N));
}

registerKernels('webgpu', {
  softmax(x, y) {
    const [N, C] = rowsCols(x),
      b = gpu(y),
      lse = scratch(y, N);
    b.dispatch('softmax', 'row_lse', [x, lse], { rows: N, cols: C }, rowGroups(N));
    b.dispatch1d('softmax', 'apply', [x, lse, y], { rows: N, cols: C }, N * C);
    lse.dispose();
  },
  softmaxGrad(y, dy, dx) {
    const [N, C] = rowsCols(y),
      b = gpu(dx),
      dot = scratch(dx, N);
    b.dispatch('softmax', 'row_dot', [y, dy, dot], { rows: N, cols: C }, rowGroups(N));
    b.dispatch1d('softmax', 'grad_apply', [y, dy, dot, dx], { rows: N, cols: C }, N * C);
    dot.dispose();
  },
  softmaxXent(logits, targets, lse, loss, count, ignore) {
    const [N, C] = rowsCols(logits);
    const b = gpu(loss),
      groups = Math.ceil(N / CHUNK),
      params = { n: N, c: C, op: 0, ignore };
    b.dispatch('softmax_xent', 'row_lse', [logits, lse], params, rowGroups(N));
    const partials = scratch(loss, 2 * groups);
    b.dispatch('softmax_xent', 'total_partial', [logits, targets, lse, b.faults, partials], params, rowGroups(groups));
    b.dispatch('softmax_xent', 'total', [partials, loss], params, [1]);
    b.dispatch('softmax_xent', 'total', [partials, count], { ...params, op: 1 }, [1]);
    partials.dispose();
  },
  softmaxXentGrad(logits, targets, lse, count, dloss, dlogits, ignore) {
    const [N, C] = rowsCols(logits);
    gpu(dlogits).dispatch1d('softmax_xent', 'grad', [logits, targets, lse, count, dloss, dlogits], { n: N, c: C, op: 0, ignore }, N * C);
  },
  mse: (a, b, out) => fullMean('mse_partial', a, b, out),
  mseGrad(a, b, dout, da, db) {
    if (da) gpu(da).dispatch1d('losses', 'mse_grad', [a, b, dout, da], { n: a.size, d: 0, sign: 1, eps: 0 }, a.size);
    if (db) gpu(db).dispatch1d('losses', 'mse_grad', [a, b, dout, db], { n: a.size, d: 0, sign: -1, eps: 0 }, a.size);
  },
  bceLogits: (x, y, out) => fullMean('bce_partial', x, y, out),
  bceLogitsGrad: (x, y, dout, dx) => gpu(dx).dispatch1d('losses', 'bce_grad', [x, y, dout, dx], { n: x.size, d: 0, sign: 0, eps: 0 }, x.size),
  cosine(a, b, out, eps) {
    const [N, D] = rowsCols(a);
    gpu(out).dispatch('losses', 'cosine', [a, b, out], { n: N, d: D, sign: 0, eps }, rowGroups(N));
  },
  cosineGrad(a, b, dout, da, db, eps) {
    // db is da's formula with a and b exchanged (the dot product is symmetric).
    if (da) cosineGradOf(a, b, dout, da, eps);
    if (db) cosineGradOf(b, a, dout, db, eps);
  },
});
