// The submission format: client_ids.npy (int64, 1-D) and embeddings.npy (float16, 2-D,
// at most 2048 columns, no NaN or Inf), in the same order, the ids a permutation of the
// relevant clients. Everything is checked before anything is written.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { toFloat16Bits, writeNpy } from '../data/npy.js';

export const MAX_COLUMNS = 2048;

export function writeSubmission(dir: string, clientIds: BigInt64Array, embeddings: Float32Array, dim: number, relevant: BigInt64Array): void {
  const n = clientIds.length;
  if (!Number.isInteger(dim) || dim < 1 || dim > MAX_COLUMNS) throw new Error(`submission: ${dim} columns; the challenge takes 1 to ${MAX_COLUMNS}`);
  if (embeddings.length !== n * dim) throw new Error(`submission: ${embeddings.length} values are not ${n} clients × ${dim} columns`);
  if (n !== relevant.length) throw new Error(`submission: ${n} client ids, but there are ${relevant.length} relevant clients`);
  const want = new Set(relevant), seen = new Set<bigint>();
  clientIds.forEach((c, i) => {
    if (!want.has(c)) throw new Error(`submission: client ${c} at row ${i} is not a relevant client`);
    if (seen.has(c)) throw new Error(`submission: client ${c} appears twice (again at row ${i})`);
    seen.add(c);
  });
  const bits = toFloat16Bits(embeddings);
  for (let i = 0; i < bits.length; i++)
    if ((bits[i]! & 0x7c00) === 0x7c00)
      throw new Error(`submission: row ${Math.floor(i / dim)} (client ${clientIds[Math.floor(i / dim)]}) column ${i % dim} is ${embeddings[i]}, which is ${Number.isNaN(embeddings[i]) ? 'NaN' : 'not finite in float16'}`);
  mkdirSync(dir, { recursive: true });
  writeNpy(join(dir, 'client_ids.npy'), { dtype: 'int64', shape: [n], data: clientIds });
  writeNpy(join(dir, 'embeddings.npy'), { dtype: 'float16', shape: [n, dim], data: bits });
}
