import { registerKernels } from '../registry.js';
import { gpu, scratch } from './backend.js';
import { reduce } from './reduce.js';

registerKernels('webgpu', {
  gradClip(sumsOfSquares, maxNorm, out) {
    const total = scratch(out, 1);
    reduce(sumsOfSquares, total, 0);
    // A uniform cannot be trusted to hold Infinity (WGSL may assume floats finite): no clipping is clip = 0.
    const clip = Number.isFinite(maxNorm) ? 1 : 0;
    gpu(out).dispatch('grad_clip', 'grad_clip', [total, out], { clip, max_norm: clip ? maxNorm : 0 }, [1]);
    total.dispose();
  },
  // A dispatch per tensor (a bind group holds a fixed number of buffers); each reads the factor from clip.
  adamSteps(params, grads, ms, vs, o, clip) {
    // The per-step constants of native/common/adam_math.h's adam_scalars, computed once on the host.
    const bc1 = Math.fround(1 - o.beta1 ** o.step),
      bc2 = Math.fround(1 - o.beta2 ** o.step);
    const constants = {
      beta1: o.beta1,
      beta2: o.beta2,
      eps: o.eps,
      step_size: o.lr / bc1,
      inv_sqrt_bc2: 1 / Math.sqrt(bc2),
      decay: o.decoupled ? 1 - o.lr * o.weightDecay : 1,
      l2: o.decoupled ? 0 : o.weightDecay,
    };
    params.forEach((p, t) => gpu(p).dispatch1d('adam', 'adam', [grads[t]!, clip, p, ms[t]!, vs[t]!], { n: p.size, ...constants }, p.size));
  },
});
