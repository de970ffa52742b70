// A compact columnar file for cached sequences: "SEQCOL01", u32 header length, a JSON
// header (meta + one entry per array), then each array's raw little-endian bytes at a
// 64-byte-aligned offset. Written to a temporary name and renamed; arrays are read one at a
// time (readArray), so a reader holds only what it asks for.
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';

const MAGIC = 'SEQCOL01';

export type ColumnArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array;
const CTORS = { Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array };
type CtorName = keyof typeof CTORS;

interface Entry { name: string; type: CtorName; length: number; offset: number }

export function writeColumns(path: string, meta: Record<string, unknown>, arrays: Record<string, ColumnArray>): void {
  const entries: Entry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, type: a.constructor.name as CtorName, length: a.length, offset });
    offset += Math.ceil(a.byteLength / 64) * 64;
  }
  let header = Buffer.from(JSON.stringify({ meta, arrays: entries }));
  const base = Math.ceil((12 + header.length) / 64) * 64;
  header = Buffer.concat([header, Buffer.alloc(base - 12 - header.length, 0x20)]);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
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
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw err;
  }
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
      if (pre.toString('ascii', 0, 8) !== MAGIC) throw new Error(`${path}: not a seqcore column file (bad magic)`);
      const hlen = pre.readUInt32LE(8);
      const header = Buffer.alloc(hlen);
      if (12 + hlen > size) throw new Error(`${path}: truncated header`);
      readSync(fd, header, 0, hlen, 12);
      const parsed = JSON.parse(header.toString('utf8')) as { meta: Record<string, unknown>; arrays: Entry[] };
      this.meta = parsed.meta;
      this.base = 12 + hlen;
      for (const e of parsed.arrays) {
        if (!(e.type in CTORS)) throw new Error(`${path}: array '${e.name}' has unknown type ${e.type}`);
        if (this.base + e.offset + e.length * CTORS[e.type].BYTES_PER_ELEMENT > size) throw new Error(`${path}: array '${e.name}' runs past the end of the file (truncated?)`);
        this.entries.set(e.name, e);
      }
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
      readSync(fd, new Uint8Array(a.buffer), 0, a.byteLength, this.base + e.offset);
    } finally {
      closeSync(fd);
    }
    return a as T;
  }
}
