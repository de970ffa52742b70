// Checkpoints: one file, "SEQCKPT1" + u32 header length + JSON header + raw float32 arrays.
// Written to a temporary file and renamed, so an interrupted save never leaves half a file.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

const MAGIC = 'SEQCKPT1';

export interface CheckpointData {
  meta: Record<string, unknown>;
  arrays: Map<string, { shape: number[]; data: Float32Array }>;
}

export function saveCheckpoint(path: string, ckpt: CheckpointData): void {
  const entries: { name: string; shape: number[]; offset: number; length: number }[] = [];
  let offset = 0;
  for (const [name, a] of ckpt.arrays) {
    entries.push({ name, shape: a.shape, offset, length: a.data.length });
    offset += a.data.length * 4;
  }
  const header = Buffer.from(JSON.stringify({ meta: ckpt.meta, arrays: entries }));
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const pre = Buffer.alloc(12);
    pre.write(MAGIC, 0, 'ascii');
    pre.writeUInt32LE(header.length, 8);
    writeSync(fd, pre);
    writeSync(fd, header);
    for (const a of ckpt.arrays.values()) writeSync(fd, new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function loadCheckpoint(path: string): CheckpointData {
  if (!existsSync(path)) throw new Error(`checkpoint ${path} does not exist`);
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) throw new Error(`${path} is not a seqcore checkpoint (bad magic)`);
  const hlen = buf.readUInt32LE(8);
  if (12 + hlen > buf.length) throw new Error(`${path}: truncated header`);
  let header: { meta: Record<string, unknown>; arrays: { name: string; shape: number[]; offset: number; length: number }[] };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + hlen));
  } catch (e) {
    throw new Error(`${path}: corrupt header (${(e as Error).message})`);
  }
  const base = 12 + hlen;
  const arrays = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of header.arrays) {
    const end = base + e.offset + e.length * 4;
    if (end > buf.length) throw new Error(`${path}: array '${e.name}' runs past the end of the file (truncated?)`);
    const data = new Float32Array(e.length);
    new Uint8Array(data.buffer).set(buf.subarray(base + e.offset, end));
    arrays.set(e.name, { shape: e.shape, data });
  }
  return { meta: header.meta, arrays };
}
