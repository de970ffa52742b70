import { native } from '../../native.js';
import { registerKernels } from '../registry.js';
import { sid } from './backend.js';

registerKernels('cpu', {
  adamStep(p, g, m, v, o) {
    native.adamStep(sid(p), sid(g), sid(m), sid(v), p.size, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.decoupled, o.step, o.gradScale);
  },
});
