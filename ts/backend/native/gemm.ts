import { registerKernels } from '../registry.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerGemm(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    gemm(a, b, c, o) {
      const [M, N] = c.shape as [number, number];
      const K = o.transA ? a.shape[0]! : a.shape[1]!;
      native.gemm(o.transA, o.transB, M, N, K, o.alpha, sid(a), 0, a.shape[1]!, sid(b), 0, b.shape[1]!, o.beta, sid(c), 0, N);
    },
  });
}
