// `--backend webgpu`: Dawn is loaded only when the backend is asked for.
import { registerStarter } from '../backend.js';

registerStarter('webgpu', async () => (await import('./device.js')).initWebGpu());
