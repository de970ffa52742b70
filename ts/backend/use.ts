import { getBackend, setBackend } from './backend.js';
import { initWebGpu } from './webgpu/device.js';

/** Names a command line may pass to --backend. */
export const BACKENDS = ['cpu', 'webgpu'] as const;

/**
 * Runs fn with `name` as the default backend (tensors created without one land there),
 * starting webgpu first when named, then restores the previous default. No name: as is.
 */
export async function onBackend<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (name === undefined) return fn();
  if (!(BACKENDS as readonly string[]).includes(name)) throw new Error(`--backend: unknown backend '${name}' (expected one of ${BACKENDS.join(', ')})`);
  if (name === 'webgpu') await initWebGpu();
  const previous = getBackend();
  setBackend(name);
  try {
    return await fn();
  } finally {
    setBackend(previous.name);
  }
}
