import { registerKernels } from '../registry.js';
import { gpu } from './backend.js';

registerKernels('webgpu', {
  sum: (x, out) => gpu(out).dispatch('reduce', 'sum', [x, out], 'uu', [x.size, 0], [1]),
  sumSquares: (x, out) => gpu(out).dispatch('reduce', 'sum', [x, out], 'uu', [x.size, 1], [1]),
});
