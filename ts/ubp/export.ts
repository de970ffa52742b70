// The submission format: client_ids.npy (int64, 1-D) and embeddings.npy (float16, 2-D,
// at most 2048 columns, no NaN or Inf), in the same order, the ids a permutation of the
// relevant clients. Everything is checked before anything is written, and when read. The
// folder is written as one (writeDirAtomic): a reader never finds the ids of one run beside the
// embeddings of another.
import { join } from 'node:path';
import { checkOutputDir, writeDirAtomic } from '../io/atomic.js';
import { readFloats, readInt64, rowsOfRelevant } from '../data/inputs.js';
import { toFloat16Bits, writeNpy } from '../io/npy.js';

export const MAX_COLUMNS = 2048;

export function writeSubmission(dir: string, clientIds: BigInt64Array, embeddings: Float32Array, dim: number, relevant: BigInt64Array): void {
  const n = clientIds.length;
  if (!Number.isInteger(dim) || dim < 1 || dim > MAX_COLUMNS) throw new Error(`submission: ${dim} columns; the challenge takes 1 to ${MAX_COLUMNS}`);
  if (embeddings.length !== n * dim) throw new Error(`submission: ${embeddings.length} values are not ${n} clients × ${dim} columns`);
  rowsOfRelevant(clientIds, relevant, 'submission');
  const bits = toFloat16Bits(embeddings);
  for (let i = 0; i < bits.length; i++)
    if ((bits[i]! & 0x7c00) === 0x7c00)
      throw new Error(
        `submission: row ${Math.floor(i / dim)} (client ${clientIds[Math.floor(i / dim)]}) column ${i % dim} is ${embeddings[i]}, ` +
          `which is ${Number.isNaN(embeddings[i]) ? 'NaN' : 'not finite in float16'}`,
      );
  writeDirAtomic(dir, (tmp) => {
    writeNpy(join(tmp, 'client_ids.npy'), { dtype: 'int64', shape: [n], data: clientIds });
    writeNpy(join(tmp, 'embeddings.npy'), { dtype: 'float16', shape: [n, dim], data: bits });
  });
}

/**
 * A submission directory's rows (× dim values) in relevant-client order, checked as written:
 * its ids a permutation of the relevant clients, its values finite.
 */
export function readSubmission(dir: string, relevant: BigInt64Array): { values: Float32Array; dim: number } {
  checkOutputDir(dir);
  const idsPath = join(dir, 'client_ids.npy'),
    embPath = join(dir, 'embeddings.npy');
  const ids = readInt64(idsPath);
  const rows = rowsOfRelevant(ids, relevant, idsPath);
  const emb = readFloats(embPath, [ids.length, null], `one row per id of ${idsPath}`);
  const dim = emb.shape[1]!,
    values = new Float32Array(relevant.length * dim);
  rows.forEach((r, i) => values.set(emb.values.subarray(r * dim, (r + 1) * dim), i * dim));
  return { values, dim };
}
