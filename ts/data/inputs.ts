// Checks of the arrays read from user files, made where they are loaded so that a wrong input
// is an error naming the file, the row and the column, never a silently wrong result (ids that
// match no client give constant columns) or a failure far away (a NaN input surfaces as
// "AdamW.step: gradient norm is NaN"). Ids: relevant_clients.npy, client_ids.npy, the users
// of a one-line-per-user file; values: embeddings, profiles, targets.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { npyFloat32, readNpy } from '../io/npy.js';

/**
 * key → its index; a key seen twice is an error naming the file, the key and both places
 * (`place` turns an index into "row 3", "line 7", …).
 */
export function uniqueIndex<K>(keys: ArrayLike<K>, file: string, what = 'client', place = (i: number): string => `row ${i}`): Map<K, number> {
  const index = new Map<K, number>();
  for (let i = 0; i < keys.length; i++) {
    const first = index.get(keys[i]!);
    if (first !== undefined) throw new Error(`${file}: ${what} ${keys[i]} is at ${place(first)} and again at ${place(i)}`);
    index.set(keys[i]!, i);
  }
  return index;
}

/** A 1-D int64 array (ids). */
export function readInt64(path: string): BigInt64Array {
  const a = readNpy(path);
  if (a.dtype !== 'int64' || a.shape.length !== 1) throw new Error(`${path}: expected a 1-D int64 array, got ${a.dtype} [${a.shape.join(', ')}]`);
  return a.data as BigInt64Array;
}

/** A 1-D int64 array of ids, each once. */
export function readIds(path: string): BigInt64Array {
  const ids = readInt64(path);
  uniqueIndex(ids, path);
  return ids;
}

/**
 * The relevant clients' file of a data folder: DIR/input/relevant_clients.npy, as the
 * organisers ship it, else DIR/relevant_clients.npy (seqcore's generator); null when neither.
 */
export function relevantClientsFile(dir: string): string | null {
  const shipped = join(dir, 'input', 'relevant_clients.npy'),
    flat = join(dir, 'relevant_clients.npy');
  if (existsSync(shipped) && existsSync(flat)) throw new Error(`${dir}: both ${shipped} and ${flat} exist: remove the one that is not meant`);
  return existsSync(shipped) ? shipped : existsSync(flat) ? flat : null;
}

export function readRelevantClients(dir: string): BigInt64Array {
  const file = relevantClientsFile(dir);
  if (!file)
    throw new Error(`${dir}: no relevant_clients.npy (looked for ${join(dir, 'input', 'relevant_clients.npy')} and ${join(dir, 'relevant_clients.npy')})`);
  return readIds(file);
}

/** Every id (read from `file`) must be a relevant client. */
export function assertRelevant(ids: BigInt64Array, relevant: BigInt64Array, file: string): void {
  const want = new Set(relevant);
  const stray = ids.findIndex((id) => !want.has(id));
  if (stray < 0) return;
  const count = ids.filter((id) => !want.has(id)).length;
  throw new Error(`${file}: client ${ids[stray]} at row ${stray} is not a relevant client (${count} of its ${ids.length} ids are not)`);
}

/**
 * The row among `ids` (read from `file`) of each relevant client, as the submission format
 * asks: every id a relevant client, each once, and every relevant client there.
 */
export function rowsOfRelevant(ids: BigInt64Array, relevant: BigInt64Array, file: string): Int32Array {
  const row = uniqueIndex(ids, file);
  assertRelevant(ids, relevant, file);
  const rows = Int32Array.from(relevant, (id) => row.get(id) ?? -1);
  const missing = rows.indexOf(-1);
  if (missing >= 0)
    throw new Error(
      `${file}: relevant client ${relevant[missing]} (row ${missing} of the relevant clients) is missing; ` +
        `${relevant.length - ids.length} of ${relevant.length} relevant clients have no row`,
    );
  return rows;
}

/** Every value must be finite: the first that is not is an error naming the file, its row and column (a 1-D array: cols 1). */
export function checkFinite(values: ArrayLike<number>, cols: number, file: string): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    const at = cols > 1 ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `row ${i}`;
    throw new Error(`${file}: ${at} is ${values[i]}`);
  }
}

/**
 * A float array (any numeric dtype, float16 decoded) of the given shape (null: any size) and
 * finite values; `why` says where the expected shape comes from.
 */
export function readFloats(path: string, shape: (number | null)[], why: string): { values: Float32Array; shape: number[] } {
  const a = readNpy(path);
  if (a.shape.length !== shape.length || shape.some((n, k) => n !== null && n !== a.shape[k]))
    throw new Error(`${path}: shape [${a.shape.join(', ')}], expected [${shape.map((n) => n ?? '*').join(', ')}] (${why})`);
  const values = npyFloat32(a);
  checkFinite(values, a.shape[1] ?? 1, path);
  return { values, shape: a.shape };
}
