import { record } from '../autograd.js';
import { kernel, type BinaryName } from '../backend/registry.js';
import type { Shape, Tensor } from '../tensor.js';
import { alloc, checkFloat, checkSameBackend, checkSameShape, fail, fmt, lastDim } from './check.js';

function binary(op: BinaryName, a: Tensor, b: Tensor): Tensor {
  checkFloat(op, 'a', a);
  checkFloat(op, 'b', b);
  checkSameShape(op, a, b);
  checkSameBackend(op, a, b);
  const out = alloc(a, a.shape);
  kernel('binary', a)(op, a, b, out);
  record(op, [a, b], [out], ([g]) => {
    const dy = g!;
    if (op === 'mul') {
      const da = a.requiresGrad ? alloc(dy, dy.shape) : null;
      const db = b.requiresGrad ? alloc(dy, dy.shape) : null;
      if (da) kernel('binary', dy)('mul', dy, b, da);
      if (db) kernel('binary', dy)('mul', dy, a, db);
      return [da, db];
    }
    const da = a.requiresGrad ? dy.view(dy.shape) : null;
    let db: Tensor | null = null;
    if (b.requiresGrad) {
      db = alloc(dy, dy.shape);
      kernel('scale', dy)(dy, op === 'sub' ? -1 : 1, db);
    }
    return [da, db];
  });
  return out;
}

/** Elementwise a + b (same shapes). */
export const add = (a: Tensor, b: Tensor): Tensor => binary('add', a, b);
/** Elementwise a − b (same shapes). */
export const sub = (a: Tensor, b: Tensor): Tensor => binary('sub', a, b);
/** Elementwise a · b (same shapes). */
export const mul = (a: Tensor, b: Tensor): Tensor => binary('mul', a, b);

/** s · x for a constant s. */
export function scale(x: Tensor, s: number): Tensor {
  checkFloat('scale', 'x', x);
  if (!Number.isFinite(s)) fail('scale', `factor must be finite, got ${s}`);
  const out = alloc(x, x.shape);
  kernel('scale', x)(x, s, out);
  record('scale', [x], [out], ([g]) => {
    const dx = alloc(g!, g!.shape);
    kernel('scale', g!)(g!, s, dx);
    return [dx];
  });
  return out;
}

/** x (..., D) + bias (D), broadcast over the leading axes. */
export function addBias(x: Tensor, bias: Tensor): Tensor {
  checkFloat('addBias', 'x', x);
  checkFloat('addBias', 'bias', bias);
  checkSameBackend('addBias', x, bias);
  if (bias.rank !== 1 || x.rank < 1 || bias.shape[0] !== lastDim(x))
    fail('addBias', `bias ${fmt(bias.shape)} must be [${x.rank ? lastDim(x) : '?'}] for x ${fmt(x.shape)}`);
  const out = alloc(x, x.shape);
  kernel('addBias', x)(x, bias, out);
  record('addBias', [x, bias], [out], ([g]) => {
    const dy = g!;
    let db: Tensor | null = null;
    if (bias.requiresGrad) {
      db = alloc(dy, bias.shape);
      kernel('sumRows', dy)(dy, db);
    }
    return [x.requiresGrad ? dy.view(dy.shape) : null, db];
  });
  return out;
}

/** The same values in another shape (shares storage; differentiable). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== x.size) fail('reshape', `cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)} (${size})`);
  const out = x.view(shape);
  record('reshape', [x], [out], ([g]) => [g!.view(x.shape)]);
  return out;
}
