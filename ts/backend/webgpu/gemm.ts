import { registerKernels } from '../registry.js';
import { gpu } from './backend.js';

registerKernels('webgpu', {
  gemm(a, b, c, o) {
    const [M, N] = c.shape as [number, number];
    const K = o.transA ? a.shape[0]! : a.shape[1]!;
    // 32×32 tiles of c (kernels/gemm.wgsl); the entry point gemm reads no offsets (oa, ob, oc).
    const params = { M, N, K, ta: +o.transA, tb: +o.transB, lda: a.shape[1]!, ldb: b.shape[1]!, oa: 0, alpha: o.alpha, beta: o.beta, ob: 0, oc: 0 };
    gpu(c).dispatch('gemm', 'gemm', [a, b, c], params, [Math.ceil(N / 32), Math.ceil(M / 32)]);
  },
});
