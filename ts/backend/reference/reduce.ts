// Whole-tensor reductions (float64) and the non-finite check.
import { registerKernels } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { f16ToF32, f32ToF16 } from '../../f16.js';
import { refAny, refData } from './backend.js';

function one(out: Tensor, what: string): Float64Array {
  if (out.size !== 1) throw new TypeError(`reference ${what}: out must have one element, got ${out.describe()}`);
  return refData(out);
}

function sum(x: Tensor, out: Tensor): void {
  const X = refData(x);
  let s = 0;
  for (let i = 0; i < x.size; i++) s += X[i]!;
  one(out, 'sum')[0] = s;
}

function sumSquares(x: Tensor, out: Tensor): void {
  const X = refData(x);
  let s = 0;
  for (let i = 0; i < x.size; i++) s += X[i]! * X[i]!;
  one(out, 'sumSquares')[0] = s;
}

/**
 * Index of the first element that is NaN or ±Inf in the tensor's own dtype (a float64 value
 * beyond float32's range reads back as Inf, so it counts), or -1. Integer tensors: -1.
 */
function firstNonFinite(x: Tensor): number {
  const X = refAny(x);
  if (X instanceof BigInt64Array || x.dtype === 'int32' || x.dtype === 'uint8') return -1;
  const stored = x.dtype === 'float16' ? (v: number) => f16ToF32(f32ToF16(v)) : Math.fround;
  for (let i = 0; i < x.size; i++) if (!Number.isFinite(stored(X[i]!))) return i;
  return -1;
}

registerKernels('reference', { sum, sumSquares, firstNonFinite });
