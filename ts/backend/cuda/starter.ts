// `--backend cuda`: the CUDA addon is loaded only when the backend is asked for.
import { registerStarter } from '../backend.js';
import { loadCudaAddon } from './addon.js';

let started: Promise<unknown> | null = null;

registerStarter('cuda', () => {
  started ??= (async () => {
    const loaded = loadCudaAddon();
    if ('error' in loaded) throw new Error(`--backend cuda: ${loaded.error}`);
    const { startCuda } = await import('./backend.js');
    return startCuda(loaded.addon);
  })();
  return started;
});
