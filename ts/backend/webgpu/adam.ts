import { registerKernels } from '../registry.js';
import { gpu } from './backend.js';

registerKernels('webgpu', {
  adamStep(p, g, m, v, o) {
    // The per-step constants of native/cpu/adam.cc, computed once on the host.
    const bc1 = Math.fround(1 - o.beta1 ** o.step), bc2 = Math.fround(1 - o.beta2 ** o.step);
    gpu(p).dispatch1d('adam', 'adam', [g, p, m, v], 'uffffffff', [
      p.size, o.beta1, o.beta2, o.eps, o.lr / bc1, 1 / Math.sqrt(bc2),
      o.decoupled ? 1 - o.lr * o.weightDecay : 1, o.decoupled ? 0 : o.weightDecay, o.gradScale,
    ], p.size);
  },
});
