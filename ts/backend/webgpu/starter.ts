// `--backend webgpu` and initWebGpu(): Dawn and the webgpu kernels are loaded only when the
// backend is asked for.
import { registerStarter, type Backend } from '../backend.js';

/**
 * Starts the webgpu backend once (Dawn: any vendor's GPU, or Mesa's llvmpipe) and registers it
 * as 'webgpu'; then create tensors with { backend: 'webgpu' } or setBackend('webgpu'). Typed as
 * the plain Backend, so that the public types need no WebGPU declarations.
 */
export async function initWebGpu(options: { dawnBackend?: string } = {}): Promise<Backend> {
  return (await import('./device.js')).initWebGpu(options);
}

registerStarter('webgpu', () => initWebGpu());
