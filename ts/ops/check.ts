// Shape and dtype checks shared by the ops: every error names the op and the shapes.
import type { DType } from '../dtype.js';
import { Tensor, type Shape } from '../tensor.js';

export const fmt = (s: Shape): string => `[${s.join(', ')}]`;

export function fail(op: string, msg: string): never {
  throw new TypeError(`${op}: ${msg}`);
}

export function checkDtype(op: string, name: string, t: Tensor, ...dtypes: DType[]): void {
  if (!(t instanceof Tensor)) fail(op, `${name} must be a Tensor`);
  if (t.isDisposed) fail(op, `${name} (${t.describe()}) was disposed`);
  if (!dtypes.includes(t.dtype)) fail(op, `${name} must be ${dtypes.join(' or ')}, got ${t.dtype} ${fmt(t.shape)}`);
}

export function checkFloat(op: string, name: string, t: Tensor): void {
  checkDtype(op, name, t, 'float32');
}

/** A dropout probability: in [0, 1). */
export function checkDropout(op: string, name: string, p: number): void {
  if (!(p >= 0 && p < 1)) fail(op, `${name} must be in [0, 1), got ${p}`);
}

export function checkRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) fail(op, `${name} must have rank ${rank}, got ${fmt(t.shape)}`);
}

export function checkMinRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank < rank) fail(op, `${name} must have rank ≥ ${rank}, got ${fmt(t.shape)}`);
}

export function checkSameShape(op: string, a: Tensor, b: Tensor, an = 'a', bn = 'b'): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    fail(op, `${an} ${fmt(a.shape)} and ${bn} ${fmt(b.shape)} must have the same shape`);
}

export function checkSameBackend(op: string, ...ts: Tensor[]): void {
  const b = ts[0]!.backend;
  for (const t of ts) if (t.backend !== b) fail(op, `tensors live on different backends (${b.name} and ${t.backend.name})`);
}

export function lastDim(t: Tensor): number {
  return t.shape[t.shape.length - 1]!;
}

/**
 * A new output tensor on the same backend as `like`, NOT zero-filled: for kernels that write
 * every element. Pass zero = true for kernels that accumulate into their output.
 */
export function alloc(like: Tensor, shape: Shape, dtype: DType = 'float32', zero = false): Tensor {
  return Tensor.empty(shape, dtype, like.backend, zero);
}
