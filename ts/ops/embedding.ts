import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkDtype, checkFloat, checkRank, checkSameBackend } from './check.js';

/** Rows of table (V×E) picked by int32 ids of any shape → (...ids.shape, E). */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  checkFloat('embedding', 'table', table);
  checkRank('embedding', 'table', table, 2);
  checkDtype('embedding', 'ids', ids, 'int32');
  checkSameBackend('embedding', table, ids);
  const E = table.shape[1]!;
  const out = alloc(table, [...ids.shape, E]);
  kernel('embeddingGather', table)(table, ids, out);
  record('embedding', [table, ids], [out], ([g]) => {
    const dt = alloc(g!, table.shape, 'float32', true); // zeros, then scatter-add
    kernel('embeddingScatterAdd', g!)(g!, ids, dt);
    return [dt, null];
  });
  return out;
}
