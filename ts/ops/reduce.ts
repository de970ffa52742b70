import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkFloat } from './check.js';

function reduceAll(op: 'sum' | 'mean', x: Tensor): Tensor {
  checkFloat(op, 'x', x);
  const s = alloc(x, []);
  kernel('sum', x)(x, s);
  const k = op === 'mean' ? 1 / Math.max(x.size, 1) : 1;
  if (k !== 1) kernel('scale', s)(s, k, s);
  record(op, [x], [s], ([g]) => {
    const dx = alloc(g!, x.shape);
    kernel('broadcastScalar', g!)(g!, k, dx);
    return [dx];
  });
  return s;
}

/** Σ of all elements → a scalar (shape []). */
export const sum = (x: Tensor): Tensor => reduceAll('sum', x);
/** Mean of all elements → a scalar (shape []). */
export const mean = (x: Tensor): Tensor => reduceAll('mean', x);
