import { describe, expect, it } from 'vitest';
import { l2Normalise, quantileTransform, standardise } from '../ts/ubp/ensemble.js';

describe('ensemble member transforms', () => {
  it('quantile transform: each column to its tie-averaged rank in [0, 1]', () => {
    // 3 rows × 2 columns
    const v = Float32Array.from([10, 5, 30, 5, 20, 7]);
    quantileTransform(v, 3, 2);
    // column 0: 10, 30, 20 → ranks 0, 2, 1 of 3 → 0, 1, 0.5; column 1: 5, 5, 7 → ties at ranks 0,1 → 0.25, 0.25, 1
    expect(Array.from(v)).toEqual([0, 0.25, 1, 0.25, 0.5, 1]);
  });

  it('L2 normalisation per row; zero rows stay zero', () => {
    const v = Float32Array.from([3, 4, 0, 0]);
    l2Normalise(v, 2, 2);
    expect(Array.from(v)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
  });

  it('standardisation: each column to zero mean and unit variance; constant columns to zeros', () => {
    const v = Float32Array.from([1, 5, 3, 5, 5, 5]); // 3 rows × 2 columns
    standardise(v, 3, 2);
    // column 0: 1, 3, 5 → mean 3, population sd √(8/3)
    const k = 2 / Math.sqrt(8 / 3);
    expect(Array.from(v)).toEqual([expect.closeTo(-k, 6), 0, 0, 0, expect.closeTo(k, 6), 0]);
  });
});
