// The kernels of the native addons. seqcore.node (cpu) and seqcore_cuda.node (cuda) export the
// same entry points with the same arguments (native/napi/kernels is compiled into both), so
// one registration serves every native backend: a backend passes its name and its addon.
import type { NativeKernels } from '../../native.js';
import { registerAdam } from './adam.js';
import { registerAls } from './als.js';
import { registerDropout } from './dropout.js';
import { registerElementwise } from './elementwise.js';
import { registerEmbedding } from './embedding.js';
import { registerGemm } from './gemm.js';
import { registerLayerNorm } from './layernorm.js';
import { registerLosses } from './losses.js';
import { registerReduce } from './reduce.js';
import { registerSequence } from './sequence.js';
import { registerShape } from './shape.js';

export function registerNativeKernels(backend: string, native: NativeKernels): void {
  for (const register of [
    registerGemm,
    registerElementwise,
    registerLayerNorm,
    registerDropout,
    registerEmbedding,
    registerShape,
    registerReduce,
    registerLosses,
    registerAdam,
    registerSequence,
    registerAls,
  ])
    register(backend, native);
}
