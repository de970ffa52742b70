// The native CPU backend: importing this module registers the backend and its kernels.
import { native } from '../../native.js';
import { registerNativeKernels } from '../native/index.js';
import './backend.js';

registerNativeKernels('cpu', native);

export { native } from '../../native.js';
