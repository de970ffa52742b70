import { registerKernels } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { gpu, rowGroups, scratch, WORKGROUP } from './backend.js';

/** Elements per workgroup of kernels/reduce.wgsl's partial_sum (its CHUNK). */
const CHUNK = WORKGROUP * 256;

/** out (1) = Σ x (op 0) or Σ x² (op 1): per-chunk partials, then their sum (a fixed order). */
export function reduce(x: Tensor, out: Tensor, op: number): void {
  const b = gpu(out),
    groups = Math.ceil(x.size / CHUNK),
    partials = scratch(out, groups);
  b.dispatch('reduce', 'partial_sum', [x, partials], { n: x.size, op }, rowGroups(groups));
  b.dispatch('reduce', 'total', [partials, out], { n: x.size, op }, [1]);
  partials.dispose();
}

registerKernels('webgpu', {
  sum: (x, out) => reduce(x, out, 0),
  sumSquares: (x, out) => reduce(x, out, 1),
});
