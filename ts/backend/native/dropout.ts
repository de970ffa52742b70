import { registerKernels } from '../registry.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerDropout(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    dropout: (x, y, mask, p, seed) => native.dropout(sid(x), sid(y), sid(mask), x.size, p, seed),
    dropoutGrad: (dy, mask, dx, p) => native.dropoutGrad(sid(dy), sid(mask), sid(dx), dx.size, p),
  });
}
