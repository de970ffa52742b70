import { registerKernels } from '../registry.js';
import { gpu } from './backend.js';

registerKernels('webgpu', {
  gemm(a, b, c, o) {
    const [M, N] = c.shape as [number, number];
    const K = o.transA ? a.shape[0]! : a.shape[1]!;
    // 32×32 tiles of c (kernels/gemm.wgsl)
    gpu(c).dispatch('gemm', 'gemm', [a, b, c], 'uuuuuuuuff', [M, N, K, +o.transA, +o.transB, a.shape[1]!, b.shape[1]!, 0, o.alpha, o.beta], [Math.ceil(N / 32), Math.ceil(M / 32)]);
  },
});
