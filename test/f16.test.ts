import { describe, expect, it } from 'vitest';
import { ops, Rng, tensor, tidy } from '../ts/index.js';
import { getFloat16 } from '@petamoriken/float16';
import { f16ToF32, f32ToF16 } from '../ts/f16.js';
import { fromFloat16Bits } from '../ts/io/npy.js';
import '../ts/backend/reference/index.js';

// Edge cases of IEEE half: ±0, the largest half, the overflow threshold and just below,
// subnormals, a tie at half the smallest subnormal (rounds to even: 0), Inf and NaN.
const SPECIAL = [
  0,
  -0,
  1,
  -2.5,
  65504,
  65519.99,
  65520,
  1e6,
  6.1e-5,
  5.960464477539063e-8,
  // eslint-disable-next-line no-loss-of-precision -- half the smallest subnormal, written out in more digits than a double keeps
  2.9802322387695312e-8,
  4.5e-8,
  1e-9,
  Infinity,
  -Infinity,
  NaN,
  0.1,
  1 / 3,
];

describe('float16 storage', () => {
  it('float16 files are read as every half decodes, by an independent decoder (all 65,536 bit patterns)', () => {
    const bits = Uint16Array.from({ length: 0x10000 }, (_, h) => h);
    const view = new DataView(bits.buffer);
    const got = fromFloat16Bits(bits);
    for (let h = 0; h < 0x10000; h++) expect(Object.is(got[h], Math.fround(getFloat16(view, 2 * h, true))), `half 0x${h.toString(16)}`).toBe(true);
  });

  it('float32 → float16 → float32 on cpu matches the reference bit for bit', () => {
    const rng = new Rng(5);
    const data = Float32Array.from([...SPECIAL, ...Array.from({ length: 2000 }, () => (rng.normal() * 10 ** rng.int(9)) / 1e4)]);
    tidy(() => {
      const bits = {
        cpu: ops.cast(tensor(data, [data.length], { backend: 'cpu' }), 'float16').toArray() as Uint16Array,
        ref: ops.cast(tensor(data, [data.length], { backend: 'reference' }), 'float16').toArray() as Uint16Array,
      };
      expect(Array.from(bits.cpu)).toEqual(Array.from(bits.ref));
      const back = ops.cast(tensor(bits.cpu, [data.length], { dtype: 'float16' }), 'float32').toArray() as Float32Array;
      for (let i = 0; i < data.length; i++)
        expect(Object.is(back[i], Math.fround(f16ToF32(bits.cpu[i]!))) || (Number.isNaN(back[i]) && Number.isNaN(f16ToF32(bits.cpu[i]!)))).toBe(true);
    });
  });

  it('rounds to nearest even and saturates to Inf', () => {
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00);
    // eslint-disable-next-line no-loss-of-precision -- float16 boundaries written out in more digits than a double keeps; the test means the rounded value
    expect(f32ToF16(2.9802322387695312e-8)).toBe(0); // exactly half the smallest subnormal
    expect(f32ToF16(5.960464477539063e-8)).toBe(1); // the smallest subnormal
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1+2^-10: even is 1
    expect(f32ToF16(-0)).toBe(0x8000);
    expect(f16ToF32(0x7e00)).toBeNaN();
  });
});
