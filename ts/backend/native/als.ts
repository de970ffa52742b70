import { registerKernels } from '../registry.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerAls(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    alsHalfStep: (m, Y, X, lambda, cgSteps) =>
      native.alsHalfStep(m.indptr, m.indices, m.values, m.rows, sid(Y), Y.shape[0]!, sid(X), X.shape[1]!, lambda, cgSteps),
  });
}
