import { rowsCols } from '../backend.js';
import { registerKernels } from '../registry.js';
import { gpu } from './backend.js';

// kernels/embedding.wgsl; ids out of range are faults raised at the next read.
registerKernels('webgpu', {
  embeddingGather(table, ids, out) {
    const [V, E] = rowsCols(table), b = gpu(out);
    b.dispatch1d('embedding', 'gather', [table, ids, b.faults, out], 'uuu', [ids.size, E, V], ids.size * E);
  },
  embeddingScatterAdd(dy, ids, dtable) {
    const [V, E] = rowsCols(dtable), b = gpu(dtable);
    b.dispatch1d('embedding', 'scatter_add', [dy, ids, b.faults, dtable], 'uuu', [ids.size, E, V], ids.size * E);
  },
});
