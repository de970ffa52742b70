import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { f16round, getFloat16 } from '@petamoriken/float16';
import { decodeNpy, encodeNpy, fromFloat16Bits, readNpy, toFloat16Bits, writeNpy, type NpyArray } from '../ts/io/npy.js';

// Everything here is built by hand: no Python or NumPy needed.

/** A .npy file from parts: version, header dict text (padded to 64 unless `pad` is false) and data. */
function npyBytes(dict: string, data: Uint8Array = new Uint8Array(0), opts: { major?: number; minor?: number; pad?: boolean } = {}): Buffer {
  const major = opts.major ?? 1,
    minor = opts.minor ?? 0;
  const pre = major === 1 ? 10 : 12;
  let header = dict;
  if (opts.pad !== false) header += ' '.repeat((64 - ((pre + dict.length + 1) % 64)) % 64) + '\n';
  const out = Buffer.alloc(pre + header.length + data.length);
  out.set([0x93, ...Buffer.from('NUMPY', 'latin1'), major, minor]);
  if (major === 1) out.writeUInt16LE(header.length, 8);
  else out.writeUInt32LE(header.length, 8);
  out.write(header, pre, 'latin1');
  out.set(data, pre + header.length);
  return out;
}

const dict = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

const dir = mkdtempSync(join(tmpdir(), 'seqcore-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLES: NpyArray[] = [
  { dtype: 'int64', shape: [5], data: BigInt64Array.from([0n, -1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n]) },
  { dtype: 'int64', shape: [2, 3], data: BigInt64Array.from([1n, 2n, 3n, 4n, 5n, -6n]) },
  { dtype: 'int32', shape: [4], data: Int32Array.from([0, -1, 2147483647, -2147483648]) },
  { dtype: 'int32', shape: [3, 2], data: Int32Array.from([1, 2, 3, 4, 5, 6]) },
  { dtype: 'float32', shape: [3], data: Float32Array.from([1.5, -0, NaN]) },
  { dtype: 'float32', shape: [2, 2], data: Float32Array.from([Infinity, -Infinity, 1e-40, 3.25]) },
  { dtype: 'float16', shape: [3], data: Uint16Array.from([0x3c00, 0x8000, 0x7e00]) },
  { dtype: 'float16', shape: [2, 1], data: Uint16Array.from([0x7bff, 0x0001]) },
  { dtype: 'float32', shape: [0], data: new Float32Array(0) },
  { dtype: 'int32', shape: [0, 7], data: new Int32Array(0) },
];

describe('npy round trips', () => {
  it.each(SAMPLES.map((a) => [`${a.dtype} [${a.shape.join(', ')}]`, a] as const))('%s through a file', (_, a) => {
    const file = join(dir, `${a.dtype}-${a.shape.join('x')}.npy`);
    writeNpy(file, a);
    const bytes = readFileSync(file);
    expect(bytes.readUInt16LE(8) + 10).toBe(bytes.length - a.data.byteLength);
    expect((bytes.length - a.data.byteLength) % 64).toBe(0);
    expect(bytes[bytes.length - a.data.byteLength - 1]).toBe(0x0a); // header ends in '\n'
    const b = readNpy(file);
    expect(b.dtype).toBe(a.dtype);
    expect(b.shape).toEqual(a.shape);
    expect(b.data.constructor).toBe(a.data.constructor);
    expect(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)).toEqual(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength));
    expect(readdirSync(dir).filter((f) => f.includes('.seqcore-tmp-'))).toEqual([]);
  });

  it('writes over an existing file', () => {
    const file = join(dir, 'over.npy');
    writeNpy(file, SAMPLES[2]!);
    writeNpy(file, SAMPLES[3]!);
    expect(readNpy(file).shape).toEqual([3, 2]);
  });

  it('reads data at an offset that is not aligned for the typed array', () => {
    const a = SAMPLES[1]!;
    const bytes = encodeNpy(a);
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 3);
    const b = decodeNpy(host.subarray(3));
    expect(Array.from(b.data as BigInt64Array)).toEqual(Array.from(a.data as BigInt64Array));
  });

  it('reads versions 2.0 and 3.0, unpadded headers and any key order', () => {
    const data = new Uint8Array(Int32Array.from([7, -8, 9]).buffer);
    for (const major of [2, 3]) {
      const b = decodeNpy(npyBytes(dict('<i4', '(3,)'), data, { major }));
      expect(b).toEqual({ dtype: 'int32', shape: [3], data: Int32Array.from([7, -8, 9]) });
    }
    const b = decodeNpy(npyBytes(`{"shape": (1,3), "fortran_order": False, "descr": "<i4"}\n`, data, { pad: false }));
    expect(b).toEqual({ dtype: 'int32', shape: [1, 3], data: Int32Array.from([7, -8, 9]) });
  });
});

describe('npy encoding is byte-exact', () => {
  it('float32 [1, 2] of shape (2,)', () => {
    const text = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    const header = text + ' '.repeat(118 - text.length - 1) + '\n';
    expect(header.length).toBe(118);
    const expected = Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 118, 0]), // "\x93NUMPY" 1.0, u16 118
      Buffer.from(header, 'latin1'),
      Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40]), // 1.0f, 2.0f little-endian
    ]);
    expect(expected.length).toBe(136);
    expect(encodeNpy({ dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) })).toEqual(expected);
  });

  it('writes 2-D shapes as (r, c) and each descr', () => {
    const text = (a: NpyArray) => Buffer.from(encodeNpy(a)).toString('latin1', 10).split('\n')[0]!.trimEnd();
    expect(text(SAMPLES[1]!)).toBe("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }");
    expect(text(SAMPLES[3]!)).toBe("{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }");
    expect(text(SAMPLES[7]!)).toBe("{'descr': '<f2', 'fortran_order': False, 'shape': (2, 1), }");
  });

  it('validates the array', () => {
    expect(() => encodeNpy({ dtype: 'float32', shape: [3], data: new Float32Array(2) })).toThrow(/shape \(3,\) needs 3 elements, data has 2/);
    expect(() => encodeNpy({ dtype: 'float32', shape: [2], data: new Int32Array(2) })).toThrow(/dtype float32 needs a Float32Array, got Int32Array/);
    expect(() => encodeNpy({ dtype: 'float16', shape: [2], data: new Float32Array(2) })).toThrow(/float16 needs a Uint16Array/);
    expect(() => encodeNpy({ dtype: 'int32', shape: [1, 1, 2], data: new Int32Array(2) })).toThrow(/1-D or 2-D/);
    expect(() => encodeNpy({ dtype: 'int32', shape: [], data: new Int32Array(1) })).toThrow(/1-D or 2-D/);
    expect(() => encodeNpy({ dtype: 'int32', shape: [-2], data: new Int32Array(0) })).toThrow(/bad dimension -2/);
    expect(() => encodeNpy({ dtype: 'float64' as 'float32', shape: [1], data: new Float32Array(1) })).toThrow(/unsupported dtype float64/);
  });
});

describe('npy decoding rejects bad files, naming the file', () => {
  const f4 = (n: number) => new Uint8Array(4 * n);
  const cases: [string, Buffer, RegExp][] = [
    [
      'bad magic',
      Buffer.concat([Buffer.from('\x93NUMPZ', 'latin1'), npyBytes(dict('<f4', '(1,)'), f4(1)).subarray(6)]),
      /^bad\.npy: not a \.npy file \(bad magic\)/,
    ],
    ['too short for magic', Buffer.from([0x93, 0x4e]), /^bad\.npy: not a \.npy file/],
    ['version 4.0', npyBytes(dict('<f4', '(1,)'), f4(1), { major: 4 }), /^bad\.npy: unsupported \.npy format version 4\.0/],
    ['version 1.1', npyBytes(dict('<f4', '(1,)'), f4(1), { minor: 1 }), /^bad\.npy: unsupported \.npy format version 1\.1/],
    ['big-endian float32', npyBytes(dict('>f4', '(1,)'), f4(1)), /^bad\.npy: unsupported descr '>f4' \(supported: '<i8', '<i4', '<f4', '<f2'\)/],
    ['float64', npyBytes(dict('<f8', '(1,)'), new Uint8Array(8)), /^bad\.npy: unsupported descr '<f8'/],
    ['bool', npyBytes(dict('|b1', '(1,)'), new Uint8Array(1)), /^bad\.npy: unsupported descr '\|b1'/],
    ['unicode', npyBytes(dict('<U3', '(1,)'), new Uint8Array(12)), /^bad\.npy: unsupported descr '<U3'/],
    ['fortran order', npyBytes(dict('<f4', '(2, 2)', 'True'), f4(4)), /^bad\.npy: fortran_order True is not supported/],
    ['0-D', npyBytes(dict('<f4', '()'), f4(1)), /^bad\.npy: shape must be 1-D or 2-D, got \(\)/],
    ['3-D', npyBytes(dict('<f4', '(1, 2, 2)'), f4(4)), /^bad\.npy: shape must be 1-D or 2-D, got \(1, 2, 2\)/],
    ['shape not a tuple', npyBytes(dict('<f4', '(2)'), f4(2)), /^bad\.npy: malformed header/],
    ['not a dict', npyBytes("['<f4', False, (1,)]", f4(1)), /^bad\.npy: malformed header: expected a dict literal/],
    ['unterminated dict', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", f4(1)), /^bad\.npy: malformed header/],
    [
      'missing key',
      npyBytes("{'descr': '<f4', 'shape': (1,), }", f4(1)),
      /^bad\.npy: malformed header: keys must be descr, fortran_order, shape; got descr, shape/,
    ],
    ['extra key', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 'y'}", f4(1)), /^bad\.npy: malformed header: keys must be/],
    [
      'fortran_order not a bool',
      npyBytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", f4(1)),
      /^bad\.npy: malformed header: unreadable value for key 'fortran_order'/,
    ],
    [
      'header length past the end',
      npyBytes(dict('<f4', '(1,)')).subarray(0, 60),
      /^bad\.npy: malformed header: header length 118 runs past the end of the file \(60 bytes\)/,
    ],
    ['data too short', npyBytes(dict('<f4', '(2, 3)'), f4(5)), /^bad\.npy: data section is 20 bytes, but shape \(2, 3\) of '<f4' needs 24 bytes/],
    ['data too long', npyBytes(dict('<i8', '(2,)'), new Uint8Array(17)), /^bad\.npy: data section is 17 bytes, but shape \(2,\) of '<i8' needs 16 bytes/],
  ];
  it.each(cases)('%s', (_, bytes, message) => {
    expect(() => decodeNpy(bytes, 'bad.npy')).toThrow(message);
  });

  it('uses <buffer> by default and the path in readNpy', () => {
    expect(() => decodeNpy(Buffer.from('hello world'))).toThrow(/^<buffer>: not a \.npy file/);
    const file = join(dir, 'short.npy');
    writeFileSync(file, npyBytes(dict('<i4', '(4,)'), new Uint8Array(12)));
    let message = '';
    try {
      readNpy(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(`${file}: data section is 12 bytes, but shape (4,) of '<i4' needs 16 bytes`);
  });
});

describe('npy writes are atomic', () => {
  it('a write into a missing directory throws and creates nothing', () => {
    const missing = join(dir, 'no-such-dir');
    const file = join(missing, 'x.npy');
    expect(() => writeNpy(file, SAMPLES[0]!)).toThrow(/ENOENT/);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('a rename that fails removes the temp file and leaves the target alone', () => {
    const file = join(dir, 'is-a-dir');
    mkdirSync(file); // renaming a file over a directory fails
    expect(() => writeNpy(file, SAMPLES[2]!)).toThrow();
    expect(existsSync(`${file}.seqcore-tmp-${process.pid}`)).toBe(false);
    expect(readdirSync(file)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.includes('.seqcore-tmp-'))).toEqual([]);
  });

  it('an invalid array is rejected before any file is touched', () => {
    const file = join(dir, 'invalid.npy');
    expect(() => writeNpy(file, { dtype: 'int32', shape: [3], data: new Int32Array(2) })).toThrow(/needs 3 elements/);
    expect(readdirSync(dir).filter((f) => f.startsWith('invalid'))).toEqual([]);
  });
});

describe('float16 bits', () => {
  const half = (bits: number) => {
    const v = new DataView(new ArrayBuffer(2));
    v.setUint16(0, bits, true);
    return getFloat16(v, 0, true);
  };

  it('converts edge values as @petamoriken/float16 does', () => {
    const values = Float32Array.from([0, -0, 1, -2.5, 65504, 65520, 1e-8, 5.960464477539063e-8, 6.1e-5, Infinity, -Infinity, NaN, 0.1]);
    const bits = toFloat16Bits(values);
    expect(bits[0]).toBe(0x0000);
    expect(bits[1]).toBe(0x8000);
    expect(bits[2]).toBe(0x3c00);
    expect(bits[4]).toBe(0x7bff); // largest half
    expect(bits[5]).toBe(0x7c00); // overflows to Inf
    expect(bits[9]).toBe(0x7c00);
    expect(bits[10]).toBe(0xfc00);
    expect(bits[11]! & 0x7c00).toBe(0x7c00);
    expect(bits[11]! & 0x03ff).not.toBe(0); // a NaN
    const back = fromFloat16Bits(bits);
    for (let i = 0; i < values.length; i++) {
      expect(Object.is(back[i], Math.fround(f16round(values[i]!)))).toBe(true); // same rounding as the package
      expect(Object.is(back[i], Math.fround(half(bits[i]!)))).toBe(true);
    }
    expect(back[6] === 0 || (back[6]! > 0 && back[6]! < 6.2e-5)).toBe(true); // 1e-8: zero or a subnormal
    expect(Object.is(back[1], -0)).toBe(true);
    expect(back[4]).toBe(65504);
    expect(back[7]).toBe(5.960464477539063e-8); // smallest subnormal is exact
  });

  it('every half bit pattern survives bits → float32 → bits', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = toFloat16Bits(fromFloat16Bits(all));
    for (let i = 0; i < 65536; i++) {
      const isNaN = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (isNaN) expect(Number.isNaN(fromFloat16Bits(back.subarray(i, i + 1))[0])).toBe(true);
      else if (back[i] !== i) expect.fail(`bits 0x${i.toString(16)} came back as 0x${back[i]!.toString(16)}`);
    }
  });

  it('works on views with an offset', () => {
    const buf = Uint16Array.from([0xffff, 0x3c00, 0xc000]);
    expect(Array.from(fromFloat16Bits(buf.subarray(1)))).toEqual([1, -2]);
  });

  it('float16 arrays round-trip through a file with their bits intact', () => {
    const file = join(dir, 'half.npy');
    const bits = toFloat16Bits(Float32Array.from([0.5, -0, 65504, NaN, Infinity, 1e-7]));
    writeNpy(file, { dtype: 'float16', shape: [2, 3], data: bits });
    const b = readNpy(file);
    expect(Array.from(b.data as Uint16Array)).toEqual(Array.from(bits));
  });
});
