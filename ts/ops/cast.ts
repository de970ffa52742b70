import { kernel } from '../backend/registry.js';
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { alloc, fail } from './check.js';

/** Converts dtype (float32↔float16, int32↔int64, int32→float32). Not differentiable. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.isDisposed) fail('cast', `${x.describe()} was disposed`);
  if (x.dtype === dtype) return x.view(x.shape);
  const y = alloc(x, x.shape, dtype);
  try {
    kernel('cast', x)(x, y);
  } catch (e) {
    y.dispose();
    throw e;
  }
  return y;
}
