// IEEE 754 binary16 ("half") <-> binary32 conversions on raw bits, bit-for-bit the same as
// native/cpu/cast.cc (f32_to_f16 / f16_to_f32).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Half bits of x rounded first to float32 (as Math.fround) and then to half, round to
 * nearest even; overflow gives ±Inf, NaN gives a quiet NaN (0x7E00 with x's sign).
 */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const ax = bits & 0x7fffffff;
  if (ax >= 0x7f800000) return sign | (ax > 0x7f800000 ? 0x7e00 : 0x7c00); // NaN / Inf
  if (ax >= 0x477ff000) return sign | 0x7c00; // rounds to >= 65520: overflow to Inf
  if (ax < 0x38800000) {
    // below 2^-14: subnormal half or zero
    if (ax < 0x33000000) return sign; // below 2^-25: rounds to zero
    const e = ax >>> 23;
    const mant = (ax & 0x7fffff) | 0x800000;
    const shift = 126 - e; // 14..24
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) !== 0)) ++h;
    return sign | h;
  }
  let h = (ax >>> 13) - (112 << 10); // rebias exponent 127 -> 15
  const rem = ax & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) ++h;
  return sign | h;
}

/** The value (exactly representable as float32) of the half bits h (low 16 bits used). */
export function f16ToF32(h: number): number {
  const sign = ((h & 0x8000) << 16) >>> 0;
  let e = (h >>> 10) & 0x1f;
  let m = h & 0x3ff;
  let x: number;
  if (e === 0x1f) x = sign | 0x7f800000 | (m << 13);
  else if (e !== 0) x = sign | ((e + 112) << 23) | (m << 13);
  else if (m === 0) x = sign;
  else {
    // subnormal: normalise
    e = 113;
    while ((m & 0x400) === 0) {
      m <<= 1;
      --e;
    }
    x = sign | (e << 23) | ((m & 0x3ff) << 13);
  }
  u32[0] = x >>> 0;
  return f32[0]!;
}

let values: Float32Array | null = null;

/** Every half's float32 value, indexed by its bits (built once: 256 KiB). */
export function f16Values(): Float32Array {
  return (values ??= Float32Array.from({ length: 0x10000 }, (_, h) => f16ToF32(h)));
}
