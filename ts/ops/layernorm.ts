import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkFloat, checkSameBackend, fail, fmt, lastDim } from './check.js';

/** Layer normalisation over the last axis: x (..., D), gamma and beta (D). */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const op = 'layerNorm';
  checkFloat(op, 'x', x);
  checkFloat(op, 'gamma', gamma);
  checkFloat(op, 'beta', beta);
  checkSameBackend(op, x, gamma, beta);
  const D = x.rank ? lastDim(x) : 0;
  for (const [n, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const)
    if (p.rank !== 1 || p.shape[0] !== D) fail(op, `${n} ${fmt(p.shape)} must be [${D}] for x ${fmt(x.shape)}`);
  const rows = D ? x.size / D : 0;
  const y = alloc(x, x.shape);
  const mean = alloc(x, [rows]),
    rstd = alloc(x, [rows]);
  kernel('layerNorm', x)(x, gamma, beta, y, mean, rstd, eps);
  record(
    op,
    [x, gamma, beta],
    [y],
    ([g]) => {
      const dx = alloc(g!, x.shape),
        dg = alloc(g!, [D]),
        db = alloc(g!, [D]);
      kernel('layerNormGrad', g!)(g!, x, gamma, mean, rstd, dx, dg, db);
      return [dx, dg, db];
    },
    [mean, rstd],
  );
  return y;
}
