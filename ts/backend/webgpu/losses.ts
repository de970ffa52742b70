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
const XENT = 'uuui'; // n, c, op, ignore
const LOSS = 'uuff'; // n, d, sign, eps

/** out (1) = Σ f(a_i, b_i) / n by the `entry` partial kernel of losses.wgsl (mse_partial, bce_partial). */
function fullMean(entry: string, a: Tensor, b: Tensor, out: Tensor): void {
  const be = gpu(out), n = a.size, groups = Math.ceil(n / CHUNK);
  const partials = scratch(out, groups);
  be.dispatch('losses', entry, [a, b, partials], LOSS, [n, 0, 0, 0], rowGroups(groups));
  be.dispatch('losses', 'mean_partials', [partials, out], LOSS, [n, 0, 0, 0], [1]);
  partials.dispose();
}

function cosineGradOf(a: Tensor, b: Tensor, dout: Tensor, d: Tensor, eps: number): void {
  const [N, D] = rowsCols(a);
  gpu(d).dispatch('losses', 'cosine_grad', [a, b, dout, d], LOSS, [N, D, 0, eps], rowGroups(N));
}

registerKernels('webgpu', {
  softmax(x, y) {
    const [N, C] = rowsCols(x), b = gpu(y), lse = scratch(y, N);
    b.dispatch('softmax', 'row_lse', [x, lse], 'uu', [N, C], rowGroups(N));
    b.dispatch1d('softmax', 'apply', [x, lse, y], 'uu', [N, C], N * C);
    lse.dispose();
  },
  softmaxGrad(y, dy, dx) {
    const [N, C] = rowsCols(y), b = gpu(dx), dot = scratch(dx, N);
    b.dispatch('softmax', 'row_dot', [y, dy, dot], 'uu', [N, C], rowGroups(N));
    b.dispatch1d('softmax', 'grad_apply', [y, dy, dot, dx], 'uu', [N, C], N * C);
    dot.dispose();
  },
  softmaxXent(logits, targets, lse, loss, count, ignore) {
    const [N, C] = rowsCols(logits);
    const b = gpu(loss), groups = Math.ceil(N / CHUNK);
    b.dispatch('softmax_xent', 'row_lse', [logits, lse], XENT, [N, C, 0, ignore], rowGroups(N));
    const partials = scratch(loss, 2 * groups);
    b.dispatch('softmax_xent', 'total_partial', [logits, targets, lse, b.faults, partials], XENT, [N, C, 0, ignore], rowGroups(groups));
    b.dispatch('softmax_xent', 'total', [partials, loss], XENT, [N, C, 0, ignore], [1]);
    b.dispatch('softmax_xent', 'total', [partials, count], XENT, [N, C, 1, ignore], [1]);
    partials.dispose();
  },
  softmaxXentGrad(logits, targets, lse, count, dloss, dlogits, ignore) {
    const [N, C] = rowsCols(logits);
    gpu(dlogits).dispatch1d('softmax_xent', 'grad', [logits, targets, lse, count, dloss, dlogits], XENT, [N, C, 0, ignore], N * C);
  },
  mse: (a, b, out) => fullMean('mse_partial', a, b, out),
  mseGrad(a, b, dout, da, db) {
    if (da) gpu(da).dispatch1d('losses', 'mse_grad', [a, b, dout, da], LOSS, [a.size, 0, 1, 0], a.size);
    if (db) gpu(db).dispatch1d('losses', 'mse_grad', [a, b, dout, db], LOSS, [a.size, 0, -1, 0], a.size);
  },
  bceLogits: (x, y, out) => fullMean('bce_partial', x, y, out),
  bceLogitsGrad: (x, y, dout, dx) => gpu(dx).dispatch1d('losses', 'bce_grad', [x, y, dout, dx], LOSS, [x.size, 0, 0, 0], x.size),
  cosine(a, b, out, eps) {
    const [N, D] = rowsCols(a);
    gpu(out).dispatch('losses', 'cosine', [a, b, out], LOSS, [N, D, 0, eps], rowGroups(N));
  },
  cosineGrad(a, b, dout, da, db, eps) {
    // db is da's formula with a and b exchanged (the dot product is symmetric).
    if (da) cosineGradOf(a, b, dout, da, eps);
    if (db) cosineGradOf(b, a, dout, db, eps);
  },
});
