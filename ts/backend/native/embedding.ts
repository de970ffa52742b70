import { registerKernels } from '../registry.js';
import { rowsCols } from '../backend.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerEmbedding(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    embeddingGather(table, ids, out) {
      const [V, E] = rowsCols(table);
      native.embeddingGather(sid(table), V, E, sid(ids), ids.size, sid(out));
    },
    embeddingScatterAdd(dy, ids, dtable) {
      const [V, E] = rowsCols(dtable);
      native.embeddingScatterAdd(sid(dy), sid(ids), ids.size, E, sid(dtable), V);
    },
  });
}
