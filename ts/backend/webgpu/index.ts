// The WebGPU backend: `await initWebGpu()` starts Dawn and registers the 'webgpu' backend
// and its kernels; then tensors are created on it with { backend: 'webgpu' } or
// setBackend('webgpu'), and read with `await t.data()`.
import './starter.js';
export { initWebGpu, type WebGpuOptions } from './device.js';
export { WebGpuBackend } from './backend.js';
