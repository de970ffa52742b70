// Concatenation / split along the last axis, dtype casts and copies.
import { registerKernels } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { f16ToF32, f32ToF16 } from '../../f16.js';
import { refAny, refData, refData64, type RefArray } from './backend.js';
import { rowsCols } from '../backend.js';

/** dst[d .. d+n) = src[s .. s+n); both arrays of the same kind. */
function copyRange(src: RefArray, s: number, dst: RefArray, d: number, n: number): void {
  if (src instanceof BigInt64Array !== dst instanceof BigInt64Array) throw new TypeError('reference: cannot copy between int64 and non-int64 tensors');
  (dst as Float64Array).set((src as Float64Array).subarray(s, s + n), d);
}

function partWidths(whole: Tensor, parts: readonly Tensor[], what: string): [rows: number, widths: number[]] {
  const [rows, W] = rowsCols(whole);
  const widths = parts.map((p) => rowsCols(p)[1]);
  const total = widths.reduce((a, b) => a + b, 0);
  const bad = parts.find((p) => p.size !== rows * rowsCols(p)[1] || p.dtype !== whole.dtype);
  if (total !== W || bad)
    throw new TypeError(`reference ${what}: parts [${parts.map((p) => p.describe()).join(', ')}] do not tile ${whole.describe()} along the last axis`);
  return [rows, widths];
}

function concat(parts: readonly Tensor[], out: Tensor): void {
  const [rows, widths] = partWidths(out, parts, 'concat');
  const W = rowsCols(out)[1];
  const O = refAny(out);
  let off = 0;
  parts.forEach((p, k) => {
    const P = refAny(p),
      w = widths[k]!;
    for (let r = 0; r < rows; r++) copyRange(P, r * w, O, r * W + off, w);
    off += w;
  });
}

function split(x: Tensor, parts: readonly Tensor[]): void {
  const [rows, widths] = partWidths(x, parts, 'split');
  const W = rowsCols(x)[1];
  const X = refAny(x);
  let off = 0;
  parts.forEach((p, k) => {
    const P = refAny(p),
      w = widths[k]!;
    for (let r = 0; r < rows; r++) copyRange(X, r * W + off, P, r * w, w);
    off += w;
  });
}

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

/** float32↔float16 (round to nearest even), int32↔int64, int32→float32; same dtype copies. */
function cast(x: Tensor, y: Tensor): void {
  if (x.size !== y.size) throw new TypeError(`reference cast: sizes differ (${x.describe()} → ${y.describe()})`);
  const n = x.size;
  const from = x.dtype,
    to = y.dtype;
  if (from === to) return copy(x, y);
  if (from === 'float32' && to === 'float16') {
    const X = refData(x),
      Y = refData(y);
    for (let i = 0; i < n; i++) Y[i] = f16ToF32(f32ToF16(X[i]!));
  } else if (from === 'float16' && to === 'float32') {
    refData(y).set(refData(x)); // every half value is a float32 value
  } else if (from === 'int32' && to === 'float32') {
    const X = refData(x),
      Y = refData(y);
    for (let i = 0; i < n; i++) Y[i] = Math.fround(X[i]!);
  } else if (from === 'int32' && to === 'int64') {
    const X = refData(x),
      Y = refData64(y);
    for (let i = 0; i < n; i++) Y[i] = BigInt(X[i]!);
  } else if (from === 'int64' && to === 'int32') {
    const X = refData64(x);
    for (let i = 0; i < n; i++)
      if (X[i]! < INT32_MIN || X[i]! > INT32_MAX) throw new RangeError(`reference cast: element ${i} of ${x.describe()} is ${X[i]}, outside int32`);
    const Y = refData(y);
    for (let i = 0; i < n; i++) Y[i] = Number(X[i]!);
  } else {
    throw new TypeError(`reference cast: no cast from ${from} to ${to} (${x.describe()} → ${y.describe()})`);
  }
}

function copy(src: Tensor, dst: Tensor): void {
  if (src.size !== dst.size || src.dtype !== dst.dtype) throw new TypeError(`reference copy: ${src.describe()} does not match ${dst.describe()}`);
  copyRange(refAny(src), 0, refAny(dst), 0, src.size);
}

registerKernels('reference', { concat, split, cast, copy });
