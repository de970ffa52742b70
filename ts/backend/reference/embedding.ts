// Embedding lookup and its backward (scatter-add into the table gradient).
import { registerKernels } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData, refIndices } from './backend.js';
import { rowsCols } from '../backend.js';

/** Checks every id before anything is written, as the native kernel does. */
function checkedIds(ids: Tensor, V: number, what: string): Float64Array {
  const I = refIndices(ids);
  for (let i = 0; i < I.length; i++) {
    const id = I[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`reference ${what}: ids[${i}] = ${id} is outside [0, ${V}) (${ids.describe()})`);
  }
  return I;
}

function embeddingGather(table: Tensor, ids: Tensor, out: Tensor): void {
  const [V, E] = rowsCols(table);
  const I = checkedIds(ids, V, 'embeddingGather');
  if (out.size !== I.length * E) throw new TypeError(`reference embeddingGather: ${out.describe()} is not ${I.length}×${E}`);
  const T = refData(table),
    O = refData(out);
  for (let i = 0; i < I.length; i++) O.set(T.subarray(I[i]! * E, (I[i]! + 1) * E), i * E);
}

function embeddingScatterAdd(dy: Tensor, ids: Tensor, dtable: Tensor): void {
  const [V, E] = rowsCols(dtable);
  const I = checkedIds(ids, V, 'embeddingScatterAdd');
  if (dy.size !== I.length * E) throw new TypeError(`reference embeddingScatterAdd: ${dy.describe()} is not ${I.length}×${E}`);
  const DY = refData(dy),
    DT = refData(dtable);
  for (let i = 0; i < I.length; i++) {
    const dst = I[i]! * E;
    for (let j = 0; j < E; j++) DT[dst + j] = DT[dst + j]! + DY[i * E + j]!;
  }
}

registerKernels('reference', { embeddingGather, embeddingScatterAdd });
