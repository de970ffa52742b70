// Shared test helpers: the vitest-free part (test/numeric.ts: inputs on any backend,
// comparisons, finite differences), and the vitest hooks that start and stop webgpu.
import { afterAll, beforeAll } from 'vitest';
import { initWebGpu, type WebGpuBackend } from '../ts/backend/webgpu/index.js';

export * from './numeric.js';

/**
 * Starts the webgpu backend before a file's (or describe block's) tests and stops it after
 * them: Dawn's threads must be stopped before the test worker exits (it crashes or hangs
 * otherwise). Returns the started backend.
 */
export function useWebGpu(): () => WebGpuBackend {
  let b: WebGpuBackend | null = null;
  beforeAll(async () => {
    b = await initWebGpu();
  });
  afterAll(async () => {
    if (!b) return;
    await b.sync();
    b.destroy();
  });
  return () => b!;
}
