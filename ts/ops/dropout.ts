import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import { globalRng } from '../rng.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkDropout, checkFloat } from './check.js';

/**
 * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p).
 * The mask depends only on (seed, index), drawn from the global seeded RNG unless given, so
 * runs are reproducible and every backend drops the same elements.
 */
export function dropout(x: Tensor, p: number, opts: { training?: boolean; seed?: number } = {}): Tensor {
  checkFloat('dropout', 'x', x);
  checkDropout('dropout', 'p', p);
  if (opts.training === false || p === 0) return x.view(x.shape);
  const seed = opts.seed ?? globalRng().nextUint32();
  const y = alloc(x, x.shape),
    mask = alloc(x, x.shape, 'uint8');
  kernel('dropout', x)(x, y, mask, p, seed);
  record(
    'dropout',
    [x],
    [y],
    ([g]) => {
      const dx = alloc(g!, x.shape);
      kernel('dropoutGrad', g!)(g!, mask, dx, p);
      return [dx];
    },
    [mask],
  );
  return y;
}
