import { registerKernels } from '../registry.js';
import { rowsCols } from '../backend.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerLayerNorm(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    layerNorm(x, gamma, beta, y, mean, rstd, eps) {
      const [rows, D] = rowsCols(x);
      native.layernorm(sid(x), sid(gamma), sid(beta), sid(y), sid(mean), sid(rstd), rows, D, eps);
    },
    layerNormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta) {
      const [rows, D] = rowsCols(x);
      native.layernormGrad(sid(dy), sid(x), sid(gamma), sid(mean), sid(rstd), sid(dx), sid(dgamma), sid(dbeta), rows, D);
    },
  });
}
