import { registerKernels } from '../registry.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerAdam(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    gradClip(sumsOfSquares, maxNorm, out) {
      native.gradClip(sid(sumsOfSquares), sumsOfSquares.size, maxNorm, sid(out));
    },
    adamSteps(params, grads, ms, vs, o, clip) {
      native.adamSteps(
        params.map(sid),
        grads.map(sid),
        ms.map(sid),
        vs.map(sid),
        params.map((p) => p.size),
        o.lr,
        o.beta1,
        o.beta2,
        o.eps,
        o.weightDecay,
        o.decoupled,
        o.step,
        sid(clip),
      );
    },
  });
}
