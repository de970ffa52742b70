import { describe, expect, it } from 'vitest';
import { native, Rng, tensor, Tensor } from '../ts/index.js';

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

// Both caches drop the blocks not reused within WINDOW allocations of being freed, within
// 2 × WINDOW allocations (BlockCache::kWindow, native/cpu/block_cache.h).
const WINDOW = 1024;

/** Allocates storages of these sizes (exact size classes), then frees them; returns how many were not cache hits. */
function step(sizes: number[]): number {
  let misses = 0;
  const ids = sizes.map((bytes) => {
    const before = native.stats().cachedBytes;
    const id = native.alloc(bytes, false);
    if (before - native.stats().cachedBytes !== bytes) misses++;
    return id;
  });
  ids.forEach((id) => native.free(id));
  return misses;
}

describe('the freed-block caches keep what is reused', () => {
  const steady = [262144, 262144, 1 << 20, 4096, 64, 65536, 524288, 131072]; // size classes themselves
  const steadyBytes = steady.reduce((a, b) => a + b, 0);

  it('a loop that frees and reallocates the same buffers hits the cache every time after the first', () => {
    native.emptyCache();
    let misses = 0;
    for (let r = 0; r < (4 * WINDOW) / steady.length; r++) misses += step(steady);
    expect(misses).toBe(steady.length);
    expect(native.stats().cachedBytes).toBe(steadyBytes);
  });

  it('storages of sizes that keep changing do not pile up in the cache', () => {
    native.emptyCache();
    // Each round: the steady buffers, and one of a size class no other round uses (64 B … 64 KiB).
    const once = new Rng(5).shuffle(Array.from({ length: 1024 }, (_, k) => 64 * (k + 1)));
    const perRound = steady.length + 1;
    let most = 0;
    for (const bytes of once) {
      step([...steady, bytes]);
      most = Math.max(most, native.stats().cachedBytes);
    }
    // Kept: the steady buffers, and the one-off blocks of the last 2 × WINDOW allocations.
    expect(most).toBeLessThanOrEqual(steadyBytes + Math.ceil((2 * WINDOW) / perRound) * 65536);
    // After two windows of steady rounds, only the steady buffers are left.
    for (let r = 0; r < (2 * WINDOW) / steady.length + 1; r++) step(steady);
    expect(native.stats().cachedBytes).toBe(steadyBytes);
  });

  it('kernel scratch of shapes that keep changing does not pile up in the pool', () => {
    // A one-layer GRU over B sequences of T steps: its per-call scratch scales with B × T.
    const E = 32,
      H = 32,
      maxRows = 64 * 32;
    const buf = (floats: number): number => native.alloc(4 * floats, true);
    const x = buf(maxRows * E),
      out = buf(maxRows * H),
      hn = buf(64 * H),
      ws = buf(1);
    const weights = [buf(3 * H * E), buf(3 * H * H), buf(3 * H), buf(3 * H)];
    const gru = (B: number, T: number): void =>
      native.gruForward(
        x,
        E,
        H,
        1,
        [weights[0]!],
        [weights[1]!],
        [weights[2]!],
        [weights[3]!],
        null,
        new Int32Array(T).fill(B),
        Int32Array.from({ length: B }, (_, i) => i),
        0,
        1,
        false,
        ws,
        out,
        hn,
      );
    gru(8, 8); // the thread-local GEMM panels grow to this shape's needs
    native.emptyCache();
    gru(8, 8);
    const steadyScratch = native.stats().scratchBytes;
    expect(steadyScratch).toBeGreaterThan(0);
    const rng = new Rng(3);
    for (let r = 0; r < 300; r++) gru(1 + rng.int(64), 1 + rng.int(32));
    expect(native.stats().scratchBytes).toBeGreaterThan(steadyScratch);
    for (let r = 0; r < 2 * WINDOW; r++) gru(8, 8); // at least 2 × WINDOW scratch allocations
    expect(native.stats().scratchBytes).toBe(steadyScratch);
    [x, out, hn, ws, ...weights].forEach((id) => native.free(id));
  });
});
