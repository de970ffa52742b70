import { registerKernels } from '../registry.js';
import { gpu } from './backend.js';

registerKernels('webgpu', {
  adamStep(p, g, m, v, o) {
    // The per-step constants of native/cpu/adam.cc, computed once on the host.
    const bc1 = Math.fround(1 - o.beta1 ** o.step), bc2 = Math.fround(1 - o.beta2 ** o.step);
    gpu(p).dispatch1d('adam', 'adam', [g, p, m, v], {
      n: p.size, beta1: o.beta1, beta2: o.beta2, eps: o.eps, step_size: o.lr / bc1, inv_sqrt_bc2: 1 / Math.sqrt(bc2),
      decay: o.decoupled ? 1 - o.lr * o.weightDecay : 1, l2: o.decoupled ? 0 : o.weightDecay, scale: o.gradScale,
    }, p.size);
  },
});
