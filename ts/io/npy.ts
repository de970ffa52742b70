// NumPy .npy files: 1-D and 2-D C-order arrays of int64, int32, float32 and float16 (kept as raw
// Uint16Array bits), little-endian. Writes format 1.0; reads 1.0, 2.0 and 3.0.
// Layout: "\x93NUMPY", major, minor, header length (u16 LE for 1.x, u32 LE for 2.x/3.x), a Python
// dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with spaces and ending
// in '\n' so the data starts at a multiple of 64 bytes, then the raw data.
import { writeFileAtomic } from './atomic.js';
import { readBytes } from './files.js';
import { f16Values } from '../f16.js';
import { setFloat16 } from '@petamoriken/float16';

export type NpyDtype = 'int64' | 'int32' | 'float32' | 'float16';
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: BigInt64Array | Int32Array | Float32Array | Uint16Array;
}

const DTYPES = {
  int64: { descr: '<i8', size: 8, Array: BigInt64Array },
  int32: { descr: '<i4', size: 4, Array: Int32Array },
  float32: { descr: '<f4', size: 4, Array: Float32Array },
  float16: { descr: '<f2', size: 2, Array: Uint16Array },
} as const;
const BY_DESCR = new Map(Object.entries(DTYPES).map(([dtype, t]) => [t.descr as string, dtype as NpyDtype]));
const SUPPORTED = [...BY_DESCR.keys()].map((d) => `'${d}'`).join(', ');

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"
const ALIGN = 64;
const MAX_HEADER = 10000;

const pyShape = (shape: number[]) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);
const product = (shape: number[]) => shape.reduce((p, n) => p * n, 1);

function checkShape(shape: unknown, what: string): number[] {
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 2)
    throw new Error(`${what}: shape must be 1-D or 2-D, got ${Array.isArray(shape) ? pyShape(shape) : String(shape)}`);
  for (const n of shape) if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${what}: bad dimension ${n} in shape ${pyShape(shape)}`);
  return shape;
}

export function encodeNpy(a: NpyArray): Uint8Array {
  const t = DTYPES[a.dtype];
  if (!t) throw new Error(`encodeNpy: unsupported dtype ${String(a.dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
  if (!(a.data instanceof t.Array)) throw new Error(`encodeNpy: dtype ${a.dtype} needs a ${t.Array.name}, got ${a.data?.constructor?.name}`);
  const shape = checkShape(a.shape, 'encodeNpy');
  if (a.data.length !== product(shape)) throw new Error(`encodeNpy: shape ${pyShape(shape)} needs ${product(shape)} elements, data has ${a.data.length}`);

  let dict = `{'descr': '${t.descr}', 'fortran_order': False, 'shape': ${pyShape(shape)}, }`;
  dict += ' '.repeat((ALIGN - ((MAGIC.length + 4 + dict.length + 1) % ALIGN)) % ALIGN) + '\n';
  if (dict.length > 0xffff) throw new Error(`encodeNpy: header of ${dict.length} bytes does not fit format 1.0 (max 65535)`);
  const pre = MAGIC.length + 4;
  const out = Buffer.alloc(pre + dict.length + a.data.byteLength);
  MAGIC.copy(out, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(dict.length, 8);
  out.write(dict, pre, 'latin1');
  out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), pre + dict.length);
  return out;
}

/** Parses the header dict; returns the three fields or a description of what is malformed. */
function parseHeader(text: string): { descr: unknown; fortran_order: unknown; shape: unknown } | string {
  const fields: Record<string, unknown> = {};
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const match = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) i = re.lastIndex;
    return m;
  };
  const STR = /'([^'\\]*)'|"([^"\\]*)"/y,
    BOOL = /True|False/y,
    TUPLE = /\(\s*((?:\d+\s*,\s*)*(?:\d+\s*)?)\)/y;
  ws();
  if (text[i++] !== '{') return 'expected a dict literal';
  for (;;) {
    ws();
    if (text[i] === '}') break;
    const key = match(STR);
    if (!key) return `expected a quoted key at offset ${i}`;
    ws();
    if (text[i++] !== ':') return `expected ':' after key '${key[1] ?? key[2]}'`;
    ws();
    const at = i;
    let m: RegExpExecArray | null, value: unknown;
    if ((m = match(STR))) value = m[1] ?? m[2];
    else if ((m = match(BOOL))) value = m[0] === 'True';
    else if ((m = match(TUPLE)) && (m[1]!.includes(',') || m[1]!.trim() === ''))
      value = m[1]!
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map(Number);
    else return `unreadable value for key '${key[1] ?? key[2]}' at offset ${at}`; // (2) is an int, not a tuple
    fields[key[1] ?? key[2]!] = value;
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return `expected ',' or '}' at offset ${i}`;
  }
  i++;
  ws();
  if (i !== text.length) return `unexpected text after the dict at offset ${i}`;
  const keys = Object.keys(fields).sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') return `keys must be descr, fortran_order, shape; got ${keys || 'none'}`;
  return fields as { descr: unknown; fortran_order: unknown; shape: unknown };
}

export function decodeNpy(buf: Uint8Array, name = '<buffer>'): NpyArray {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || !b.subarray(0, 6).equals(MAGIC)) throw new Error(`${name}: not a .npy file (bad magic)`);
  const [major, minor] = [b[6]!, b[7]!];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0))
    throw new Error(`${name}: unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  const lenBytes = major === 1 ? 2 : 4;
  if (b.length < 6 + 2 + lenBytes) throw new Error(`${name}: malformed header: file ends inside the header length`);
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  // NumPy's own limit (max_header_size): a corrupt u32 length within a large file would
  // otherwise be decoded as text, past V8's longest string.
  if (hlen > MAX_HEADER) throw new Error(`${name}: malformed header: header length ${hlen} is over ${MAX_HEADER} bytes`);
  const start = 8 + lenBytes,
    dataStart = start + hlen;
  if (b.length < dataStart) throw new Error(`${name}: malformed header: header length ${hlen} runs past the end of the file (${b.length} bytes)`);
  const text = b.toString(major === 3 ? 'utf8' : 'latin1', start, dataStart);
  const h = parseHeader(text);
  if (typeof h === 'string') throw new Error(`${name}: malformed header: ${h}: ${JSON.stringify(text.trimEnd())}`);
  if (typeof h.descr !== 'string') throw new Error(`${name}: malformed header: descr must be a string`);
  const dtype = BY_DESCR.get(h.descr);
  if (!dtype) throw new Error(`${name}: unsupported descr '${h.descr}' (supported: ${SUPPORTED})`);
  if (typeof h.fortran_order !== 'boolean') throw new Error(`${name}: malformed header: fortran_order must be True or False`);
  if (h.fortran_order) throw new Error(`${name}: fortran_order True is not supported (only C-order arrays)`);
  const shape = checkShape(h.shape, name);

  const t = DTYPES[dtype];
  const expected = product(shape) * t.size,
    present = b.length - dataStart;
  if (present !== expected) throw new Error(`${name}: data section is ${present} bytes, but shape ${pyShape(shape)} of '${t.descr}' needs ${expected} bytes`);
  // Copy into a fresh buffer: the data offset need not be aligned for the typed array.
  const bytes = new Uint8Array(expected);
  bytes.set(b.subarray(dataStart));
  return { dtype, shape, data: new t.Array(bytes.buffer) };
}

/** Writes atomically (ts/io/atomic.ts). */
export function writeNpy(path: string, a: NpyArray): void {
  writeFileAtomic(path, encodeNpy(a));
}

export function readNpy(path: string): NpyArray {
  return decodeNpy(readBytes(path), path);
}

/** float32 values → float16 bits (round to nearest even, as @petamoriken/float16 does). */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) setFloat16(view, 2 * i, values[i]!, true);
  return out;
}

/** float16 bits → float32 values (exact). */
/** The values of an array as float32, whatever its dtype (float16 decoded). */
export function npyFloat32(a: NpyArray): Float32Array {
  switch (a.dtype) {
    case 'float32':
      return a.data as Float32Array;
    case 'float16':
      return fromFloat16Bits(a.data as Uint16Array);
    case 'int32':
      return Float32Array.from(a.data as Int32Array);
    case 'int64':
      return Float32Array.from(a.data as BigInt64Array, Number);
  }
}

export function fromFloat16Bits(bits: Uint16Array): Float32Array {
  const table = f16Values(),
    out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}
