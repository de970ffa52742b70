import { registerKernels } from '../registry.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerReduce(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    sum: (x, out) => native.sum(sid(x), x.size, sid(out)),
    sumSquares: (x, out) => native.sumSquares(sid(x), x.size, sid(out)),
    firstNonFinite: (x) => native.firstNonFinite(sid(x), x.size),
  });
}
