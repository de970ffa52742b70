// A compact columnar file for cached sequences: "SEQCOL01", u32 header length, a JSON
// header (meta + one entry per array), then each array's raw little-endian bytes at a
// 64-byte-aligned offset. Written to a temporary name and renamed; arrays are read one at a
// time (readArray), so a reader holds only what it asks for. I/O errors name the file (files.ts).
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { removeStale, temporaryName } from './atomic.js';
import { fileError, isObject, onFile } from './files.js';

const MAGIC = 'SEQCOL01';

export type ColumnArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array;
const CTORS = { Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array };
type CtorName = keyof typeof CTORS;

interface Entry {
  name: string;
  type: CtorName;
  length: number;
  offset: number;
}

// JSON has no Infinity or NaN (JSON.stringify writes null), yet training state holds them (a
// best loss of Infinity before the first validation, a best score of -Infinity): they are
// written as {"$float": "Infinity"} and read back as numbers.
const NON_FINITE = '$float';
const encodeNumber = (_: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v);
const decodeNumber = (_: string, v: unknown): unknown => {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const x = (v as Record<string, unknown>)[NON_FINITE];
    if (keys.length === 1 && (x === 'Infinity' || x === '-Infinity' || x === 'NaN')) return Number(x);
  }
  return v;
};

export function writeColumns(path: string, meta: Record<string, unknown>, arrays: Record<string, ColumnArray>): void {
  const entries: Entry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, type: a.constructor.name as CtorName, length: a.length, offset });
    offset += Math.ceil(a.byteLength / 64) * 64;
  }
  let header = Buffer.from(JSON.stringify({ meta, arrays: entries }, encodeNumber));
  const base = Math.ceil((12 + header.length) / 64) * 64;
  header = Buffer.concat([header, Buffer.alloc(base - 12 - header.length, 0x20)]);
  removeStale(dirname(path));
  const tmp = temporaryName(path);
  const fd = onFile(path, () => openSync(tmp, 'w'));
  try {
    const pre = Buffer.alloc(12);
    pre.write(MAGIC, 0, 'ascii');
    pre.writeUInt32LE(header.length, 8);
    writeSync(fd, pre);
    writeSync(fd, header);
    for (const e of entries) {
      const a = arrays[e.name]!;
      writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength), 0, a.byteLength, base + e.offset);
    }
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw fileError(path, err);
  }
}

/** The header's array entries, each checked: a known type, a unique name, bytes inside the data section and apart from the others. */
function checkEntries(path: string, arrays: unknown[], dataBytes: number): Entry[] {
  const entries = arrays.map((e, k): Entry & { end: number } => {
    const what = `${path}: header: array ${k}`;
    if (!isObject(e) || typeof e.name !== 'string') throw new Error(`${what}: expected {name, type, length, offset}`);
    const { name, type, length, offset } = e;
    if (typeof type !== 'string' || !Object.hasOwn(CTORS, type)) throw new Error(`${what} ('${name}'): unknown type ${JSON.stringify(type)}`);
    for (const [field, v] of [
      ['length', length],
      ['offset', offset],
    ] as const)
      if (!Number.isSafeInteger(v) || (v as number) < 0) throw new Error(`${what} ('${name}'): ${field} ${JSON.stringify(v)} is not a non-negative integer`);
    const end = (offset as number) + (length as number) * CTORS[type as CtorName].BYTES_PER_ELEMENT;
    if (end > dataBytes)
      throw new Error(`${what} ('${name}'): bytes ${offset as number}..${end} run past the end of the data (${dataBytes} bytes; truncated?)`);
    return { name, type: type as CtorName, length: length as number, offset: offset as number, end };
  });
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new Error(`${path}: header: array '${e.name}' appears twice`);
    seen.add(e.name);
  }
  const sorted = [...entries].sort((a, b) => a.offset - b.offset || a.end - b.end); // an empty array may share its offset
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.offset < sorted[i - 1]!.end) throw new Error(`${path}: header: arrays '${sorted[i - 1]!.name}' and '${sorted[i]!.name}' overlap`);
  return entries;
}

export class ColumnFile {
  readonly meta: Record<string, unknown>;
  private readonly entries = new Map<string, Entry>();
  private readonly base: number;

  constructor(readonly path: string) {
    if (!existsSync(path)) throw new Error(`${path}: no such file`);
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const pre = Buffer.alloc(12);
      readSync(fd, pre, 0, 12, 0);
      if (size < 12 || pre.toString('ascii', 0, 8) !== MAGIC) throw new Error(`${path}: not a seqcore column file (bad magic)`);
      const hlen = pre.readUInt32LE(8);
      // Checked before allocating: a corrupt length must not ask for gigabytes.
      if (12 + hlen > size) throw new Error(`${path}: truncated header (${hlen} bytes announced, the file has ${size})`);
      const header = Buffer.alloc(hlen);
      readSync(fd, header, 0, hlen, 12);
      let parsed: unknown;
      try {
        parsed = JSON.parse(header.toString('utf8'), decodeNumber);
      } catch (e) {
        throw new Error(`${path}: corrupt header: ${(e as Error).message}`, { cause: e });
      }
      const { meta, arrays } = (isObject(parsed) ? parsed : {}) as Record<string, unknown>;
      if (!isObject(meta) || !Array.isArray(arrays)) throw new Error(`${path}: corrupt header: expected {"meta": {...}, "arrays": [...]}`);
      this.meta = meta;
      this.base = 12 + hlen;
      for (const e of checkEntries(path, arrays, size - this.base)) this.entries.set(e.name, e);
    } catch (e) {
      throw fileError(path, e);
    } finally {
      closeSync(fd);
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  readArray<T extends ColumnArray = ColumnArray>(name: string): T {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.path}: no array '${name}' (has ${this.names().join(', ')})`);
    const a = new CTORS[e.type](e.length) as ColumnArray;
    const fd = openSync(this.path, 'r');
    try {
      const got = readSync(fd, new Uint8Array(a.buffer), 0, a.byteLength, this.base + e.offset);
      if (got !== a.byteLength)
        throw new Error(`${this.path}: array '${name}' ends early (${got} of ${a.byteLength} bytes; the file changed since it was opened?)`);
    } catch (err) {
      throw fileError(this.path, err);
    } finally {
      closeSync(fd);
    }
    return a as T;
  }
}
