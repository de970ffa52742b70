import { describe, expect, it } from 'vitest';
import { native, tensor, Tensor } from '../ts/index.js';

describe('native memory', () => {
  it('reuses freed blocks, and a reused block asked for zeros is zeroed', () => {
    native.emptyCache();
    const n = 100_000;
    const a = tensor(new Float32Array(n).fill(7), [n]);
    a.dispose();
    const cached = native.stats().cachedBytes;
    expect(cached).toBeGreaterThanOrEqual(4 * n);
    const b = Tensor.empty([n]); // same size class: takes the block a left
    expect(native.stats().cachedBytes).toBeLessThan(cached);
    expect((b.toArray() as Float32Array).every((v) => v === 0)).toBe(true);
    b.dispose();
    native.emptyCache();
    expect(native.stats().cachedBytes).toBe(0);
    expect(native.stats().scratchBytes).toBe(0);
  });

  it('keeps at most the cache limit', () => {
    const limit = native.stats().cacheLimit;
    native.setCacheLimit(1 << 20);
    const ts = Array.from({ length: 8 }, () => Tensor.empty([100_000], 'float32', undefined, false));
    ts.forEach((t) => t.dispose());
    expect(native.stats().cachedBytes).toBeLessThanOrEqual(1 << 20);
    native.setCacheLimit(limit);
  });
});
