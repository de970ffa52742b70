// seqcore: the public API. Importing it registers the cpu backend (native kernels).
import './backend/cpu/index.js';

export { Tensor, tensor, zeros, tidy, shapeSize, type Shape } from './tensor.js';
export type { DType, HostArray } from './dtype.js';
export { getBackend, setBackend, registerBackend, type Backend, type Storage } from './backend/backend.js';
export { kernel, registerKernels, hasKernel, kernelNames, type Kernels, type KernelName } from './backend/registry.js';
export { backward, noGrad, isGradEnabled, setCheckFinite } from './autograd.js';
export * as ops from './ops/index.js';
export { Rng, manualSeed, globalRng } from './rng.js';
export { Module } from './nn/module.js';
export { Linear, Embedding, LayerNorm, Dropout } from './nn/layers.js';
export { GRU } from './nn/gru.js';
export { PackedLayout } from './sequence/layout.js';
export { gruWorkspaceFloats, type GruParams } from './backend/registry.js';
export { Adam, AdamW, type AdamConfig } from './optim/adam.js';
export { native } from './native.js';
