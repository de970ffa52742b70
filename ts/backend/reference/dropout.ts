// Inverted dropout with a counter-based mask: element i is kept iff dropoutUniform(seed, i) >= p,
// bit-for-bit the draw of native/cpu/dropout.cc, so the reference and native masks agree.
import { registerKernels } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData } from './backend.js';

const TWO_POW_32 = 4294967296;

/**
 * dropout_uniform(uint32 seed, uint64 i) of native/cpu/dropout.cc: a value k/2^24 in [0, 1).
 * seed is taken mod 2^32; i must be an integer in [0, 2^53].
 */
export function dropoutUniform(seed: number, i: number): number {
  if (!Number.isSafeInteger(i) || i < 0) throw new RangeError(`dropoutUniform: index ${i} is not an integer in [0, 2^53)`);
  const lo = i >>> 0;
  const hi = Math.floor(i / TWO_POW_32) >>> 0;
  let h = (seed >>> 0) ^ Math.imul(lo, 0x9e3779b9) ^ hi;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 8) / 16777216;
}

/** The inverted-dropout multiplier of element i: 1/(1−p) if kept, else 0 (compared with p as a float32, as native does); 1 when p = 0. */
export function dropoutKeep(p: number, seed: number, i: number): number {
  if (p === 0) return 1;
  return dropoutUniform(seed, i) >= Math.fround(p) ? 1 / (1 - p) : 0;
}

function dropout(x: Tensor, y: Tensor, mask: Tensor, p: number, seed: number): void {
  const n = x.size;
  if (y.size !== n || mask.size !== n) throw new TypeError(`reference dropout: sizes differ (${x.describe()}, ${y.describe()}, ${mask.describe()})`);
  if (mask.dtype !== 'uint8') throw new TypeError(`reference dropout: mask must be uint8, got ${mask.describe()}`);
  const X = refData(x),
    Y = refData(y),
    M = refData(mask);
  // The native kernel compares against p as a float32; so does this, for the same mask.
  const pf = Math.fround(p);
  for (let i = 0; i < n; i++) {
    const keep = dropoutUniform(seed, i) >= pf;
    M[i] = keep ? 1 : 0;
    Y[i] = keep ? X[i]! / (1 - p) : 0;
  }
}

function dropoutGrad(dy: Tensor, mask: Tensor, dx: Tensor, p: number): void {
  const n = dy.size;
  if (mask.size !== n || dx.size !== n) throw new TypeError(`reference dropoutGrad: sizes differ (${dy.describe()}, ${mask.describe()}, ${dx.describe()})`);
  const DY = refData(dy),
    M = refData(mask),
    DX = refData(dx);
  for (let i = 0; i < n; i++) DX[i] = M[i] ? DY[i]! / (1 - p) : 0;
}

registerKernels('reference', { dropout, dropoutGrad });
