import { record } from '../autograd.js';
import { kernel, type UnaryName } from '../backend/registry.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkFloat } from './check.js';

function unary(op: UnaryName, x: Tensor): Tensor {
  checkFloat(op, 'x', x);
  const y = alloc(x, x.shape);
  kernel('unary', x)(op, x, y);
  record(op, [x], [y], ([g]) => {
    const dx = alloc(g!, x.shape);
    kernel('unaryGrad', g!)(op, x, y, g!, dx);
    return [dx];
  });
  return y;
}

export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
/** GELU, exact erf form (torch.nn.GELU's default). */
export const gelu = (x: Tensor): Tensor => unary('gelu', x);

/** Softmax over the last axis. Mask with a large finite negative (−1e9), not −Infinity. */
export function softmax(x: Tensor): Tensor {
  checkFloat('softmax', 'x', x);
  const y = alloc(x, x.shape);
  kernel('softmax', x)(x, y);
  record('softmax', [x], [y], ([g]) => {
    const dx = alloc(g!, x.shape);
    kernel('softmaxGrad', g!)(y, g!, dx);
    return [dx];
  });
  return y;
}
