// The safetensors format (huggingface/safetensors), which PyTorch, JAX and NumPy users read
// with `safetensors.torch.load_file` and friends:
//   8 bytes      N, the header's length, unsigned little-endian
//   N bytes      the header: a JSON object, UTF-8, padded with spaces to a multiple of 8;
//                {"__metadata__": {string: string}, "<name>": {"dtype", "shape", "data_offsets": [begin, end]}, …}
//   the rest     the tensors' bytes, little-endian, row-major; offsets relative to here,
//                tensors contiguous and in offset order, no gaps
// seqcore writes F32, F16, I32 and I64 tensors, and reads them back with every rule above
// checked, naming the file and the tensor at fault.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

export type SafeDtype = 'F32' | 'F16' | 'I32' | 'I64';
export type SafeData = Float32Array | Uint16Array | Int32Array | BigInt64Array;
export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  /** F16: the half-precision bits. */
  data: SafeData;
}
export interface SafeFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, F16: 2, I32: 4, I64: 8 };
const ARRAY: Record<SafeDtype, (b: ArrayBuffer, n: number) => SafeData> = {
  F32: (b, n) => new Float32Array(b, 0, n),
  F16: (b, n) => new Uint16Array(b, 0, n),
  I32: (b, n) => new Int32Array(b, 0, n),
  I64: (b, n) => new BigInt64Array(b, 0, n),
};
/** The header may not be larger than this (the reference implementation's limit). */
const MAX_HEADER = 100_000_000;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The file's bytes: header first, then the tensors in the order given. */
export function encodeSafetensors(file: SafeFile): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(file.metadata).length) header.__metadata__ = file.metadata;
  let offset = 0;
  for (const [name, t] of file.tensors) {
    if (name === '__metadata__') throw new Error("safetensors: a tensor may not be named '__metadata__'");
    if (t.data.length !== size(t.shape)) throw new Error(`safetensors: tensor '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  const bytes = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (bytes.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of file.tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Parses a safetensors file's bytes; `name` (the file) goes into every error. */
export function decodeSafetensors(buf: Uint8Array, name = '<buffer>'): SafeFile {
  const fail = (why: string): never => {
    throw new Error(`${name}: not a valid safetensors file: ${why}`);
  };
  if (buf.byteLength < 8) fail(`${buf.byteLength} bytes, shorter than the 8-byte header length`);
  const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`the header length ${n} is over the format's limit of ${MAX_HEADER} bytes`);
  if (n > BigInt(buf.byteLength - 8)) fail(`the header length ${n} runs past the file's ${buf.byteLength} bytes`);
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, headerEnd)));
  } catch (e) {
    fail(`the header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const metadata: Record<string, string> = {};
  const entries: [string, SafeDtype, number[], number, number][] = [];
  for (const [key, v] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail("'__metadata__' is not an object");
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`metadata '${mk}' is not a string`);
        metadata[mk] = mv as string;
      }
      continue;
    }
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `tensor '${key}'`;
    if (typeof t !== 'object' || t === null) fail(`${where} is not an object`);
    if (typeof t.dtype !== 'string' || !Object.hasOwn(BYTES, t.dtype)) fail(`${where} has dtype ${JSON.stringify(t.dtype)} (seqcore reads F32, F16, I32, I64)`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${where} has shape ${JSON.stringify(t.shape)}`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[1] < off[0])
      fail(`${where} has data_offsets ${JSON.stringify(off)}`);
    const [begin, end] = off as [number, number];
    const dtype = t.dtype as SafeDtype,
      shape = t.shape as number[];
    if (end - begin !== size(shape) * BYTES[dtype])
      fail(`${where}: shape [${shape.join(', ')}] of ${dtype} needs ${size(shape) * BYTES[dtype]} bytes, data_offsets give ${end - begin}`);
    entries.push([key, dtype, shape, begin, end]);
  }
  // The tensors must tile the data section exactly, in offset order.
  entries.sort((a, b) => a[3] - b[3] || a[4] - b[4]);
  let expect = 0;
  for (const [key, , , begin, end] of entries) {
    if (begin !== expect) fail(`tensor '${key}' starts at byte ${begin} of the data, expected ${expect} (tensors overlap or leave a gap)`);
    expect = end;
  }
  if (headerEnd + expect !== buf.byteLength) fail(`the tensors take ${expect} bytes, the file has ${buf.byteLength - headerEnd} after the header`);
  const tensors = new Map<string, SafeTensor>();
  for (const [key, dtype, shape, begin, end] of entries) {
    const copy = new Uint8Array(end - begin); // aligned and owned (a Buffer's slice() is a view)
    copy.set(buf.subarray(headerEnd + begin, headerEnd + end));
    tensors.set(key, { dtype, shape, data: ARRAY[dtype](copy.buffer, size(shape)) });
  }
  return { tensors, metadata };
}

/** Writes atomically (a temporary file, then a rename). */
export function writeSafetensors(path: string, file: SafeFile): void {
  writeFileAtomic(path, encodeSafetensors(file));
}

export function readSafetensors(path: string): SafeFile {
  return decodeSafetensors(readFileSync(path), path);
}
