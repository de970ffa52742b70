import { registerKernels } from '../registry.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerAdam(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    adamStep(p, g, m, v, o) {
      native.adamStep(sid(p), sid(g), sid(m), sid(v), p.size, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.decoupled, o.step, o.gradScale);
    },
  });
}
