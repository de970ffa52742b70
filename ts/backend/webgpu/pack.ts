import type { PackedLayout } from '../../sequence/layout.js';
import { tensor, type Tensor } from '../../tensor.js';
import { rowsCols } from '../backend.js';
import { registerKernels } from '../registry.js';
import { gpu } from './backend.js';
import { fill } from './elementwise.js';

/** rows[r]: the padded row (b·T + t) of packed row r (kernels/pack.wgsl), as an int32 webgpu tensor. */
function rowMap(layout: PackedLayout, T: number, on: Tensor): Tensor {
  const rows = new Int32Array(layout.total);
  for (let t = 0; t < layout.maxLength; t++) for (let i = 0; i < layout.batchSizes[t]!; i++) rows[layout.offsets[t]! + i] = layout.sortedIndices[i]! * T + t;
  return tensor(rows, [layout.total], { backend: on.backend });
}

registerKernels('webgpu', {
  packPadded(padded, layout, packed) {
    const E = rowsCols(packed)[1],
      rows = rowMap(layout, padded.shape[1]!, packed);
    gpu(packed).dispatch1d('pack', 'pack', [padded, rows, packed], { total: layout.total, e: E }, layout.total * E);
    rows.dispose();
  },
  unpackPadded(packed, layout, padded) {
    const E = rowsCols(packed)[1],
      rows = rowMap(layout, padded.shape[1]!, padded);
    fill(padded, 0);
    gpu(padded).dispatch1d('pack', 'unpack', [packed, rows, padded], { total: layout.total, e: E }, layout.total * E);
    rows.dispose();
  },
});
