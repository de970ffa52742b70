import { native } from '../../native.js';
import { registerKernels } from '../registry.js';
import { sid } from './backend.js';
import { rowsCols } from '../backend.js';

registerKernels('cpu', {
  embeddingGather(table, ids, out) {
    const [V, E] = rowsCols(table);
    native.embeddingGather(sid(table), V, E, sid(ids), ids.size, sid(out));
  },
  embeddingScatterAdd(dy, ids, dtable) {
    const [V, E] = rowsCols(dtable);
    native.embeddingScatterAdd(sid(dy), sid(ids), ids.size, E, sid(dtable), V);
  },
});
