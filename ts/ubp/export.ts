// The submission format: client_ids.npy (int64, 1-D) and embeddings.npy (float16, 2-D,
// at most 2048 columns, no NaN or Inf), in the same order, the ids a permutation of the
// relevant clients. Everything is checked before anything is written.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { npyFloat32, readNpy, toFloat16Bits, writeNpy } from '../data/npy.js';

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

/**
 * A submission directory's rows in relevant-client order: values (rows × dim) and which
 * relevant clients it has (absent rows are zeros).
 */
export function readSubmission(dir: string, relevant: BigInt64Array): { values: Float32Array; dim: number; present: Uint8Array } {
  const idsPath = join(dir, 'client_ids.npy'), embPath = join(dir, 'embeddings.npy');
  const ids = readNpy(idsPath), emb = readNpy(embPath);
  if (ids.dtype !== 'int64' || ids.shape.length !== 1) throw new Error(`${idsPath}: expected 1-D int64`);
  if (emb.shape.length !== 2 || emb.shape[0] !== ids.shape[0]) throw new Error(`${embPath}: shape [${emb.shape.join(', ')}] does not match ${ids.shape[0]} client ids`);
  const dim = emb.shape[1]!, data = npyFloat32(emb), row = new Map<bigint, number>();
  (ids.data as BigInt64Array).forEach((c, i) => row.set(c, i));
  const values = new Float32Array(relevant.length * dim), present = new Uint8Array(relevant.length);
  relevant.forEach((c, i) => {
    const r = row.get(c);
    if (r === undefined) return;
    values.set(data.subarray(r * dim, (r + 1) * dim), i * dim);
    present[i] = 1;
  });
  return { values, dim, present };
}
