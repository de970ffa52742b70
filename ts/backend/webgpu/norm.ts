// Layer normalisation (kernels/layernorm.wgsl) and dropout (kernels/dropout.wgsl). A dispatch
// writes only its last tensor, so kernels with several outputs are several dispatches.
import { registerKernels } from '../registry.js';
import { rowsCols } from '../backend.js';
import { gpu, rowGroups, scratch } from './backend.js';

/** Rows per partial column sum of layernorm.wgsl's grad_params (its CHUNK). */
const LN_CHUNK = 256;

registerKernels('webgpu', {
  layerNorm(x, gamma, beta, y, mean, rstd, eps) {
    const [rows, D] = rowsCols(x);
    const b = gpu(y),
      p = { rows, d: D, op: 0, eps };
    b.dispatch('layernorm', 'row_mean', [x, mean], p, rowGroups(rows));
    b.dispatch('layernorm', 'row_rstd', [x, mean, rstd], p, rowGroups(rows));
    b.dispatch1d('layernorm', 'scale_shift', [x, mean, rstd, beta, gamma, y], p, rows * D);
  },
  layerNormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta) {
    const [rows, D] = rowsCols(x);
    const b = gpu(dx),
      chunks = Math.max(1, Math.ceil(rows / LN_CHUNK));
    b.dispatch('layernorm', 'grad_x', [x, mean, rstd, dy, gamma, dx], { rows, d: D, op: 0, eps: 0 }, rowGroups(rows));
    for (const [op, out] of [
      [0, dgamma],
      [1, dbeta],
    ] as const) {
      const p = { rows, d: D, op, eps: 0 };
      if (chunks === 1) {
        b.dispatch1d('layernorm', 'grad_params', [x, mean, rstd, dy, out], p, D);
        continue;
      }
      const part = scratch(out, chunks * D);
      b.dispatch1d('layernorm', 'grad_params', [x, mean, rstd, dy, part], p, chunks * D);
      b.dispatch1d('layernorm', 'sum_chunks', [part, out], p, D);
      part.dispose();
    }
  },
  dropout(x, y, mask, p, seed) {
    const b = gpu(y),
      n = x.size;
    b.dispatch1d('dropout', 'dropout_mask', [mask], { n, seed: seed >>> 0, p }, Math.ceil(n / 4));
    b.dispatch1d('dropout', 'dropout_apply', [x, mask, y], { n, seed: 0, p }, n);
  },
  dropoutGrad: (dy, mask, dx, p) => gpu(dx).dispatch1d('dropout', 'dropout_apply', [dy, mask, dx], { n: dx.size, seed: 0, p }, dx.size),
});
