// selfAttention at training sizes (the op specs cover small shapes and finite differences):
// cpu against the float64 reference with long and length-1 sequences, and the properties the
// recommenders rely on: causality, no leakage between sequences, independence of batching.
import { describe, expect, it } from 'vitest';
import { ops, PackedLayout, Rng, tensor, type Tensor } from '../ts/index.js';
import { analyticGrads, dispose, expectClose, makeInputs, randn, values, type InputSpec } from './harness.js';

const D = 16,
  HEADS = 2;
// Weights at torch.nn.Linear's scale (±1/√D): with N(0, 1) weights the scores reach ~50 and
// float32's rounding of those alone exceeds the tolerance, which no real model sees.
const weight = (shape: number[], seed: number): InputSpec => ({ shape, grad: true, data: randn(shape, new Rng(seed), 1 / Math.sqrt(D)) });
const specs = (total: number): InputSpec[] => [
  { shape: [total, D], grad: true },
  weight([3 * D, D], 11),
  weight([3 * D], 12),
  weight([D, D], 13),
  weight([D], 14),
];
const run =
  (layout: PackedLayout, causal: boolean, dropout = 0, seed = 5) =>
  ([x, wq, bq, wo, bo]: Tensor[]): Tensor =>
    ops.selfAttention(x!, layout, wq!, bq!, wo!, bo!, { heads: HEADS, causal, dropout, seed });

/** Rows of sequence b (input order), in time order, from a packed total×D array. */
function rowsOf(data: Float64Array, layout: PackedLayout, b: number): number[][] {
  return Array.from({ length: layout.lengths[b]! }, (_, t) => Array.from(data.subarray(layout.row(b, t) * D, (layout.row(b, t) + 1) * D)));
}

describe('selfAttention at training sizes', () => {
  for (const [causal, dropout] of [
    [true, 0],
    [false, 0],
    [true, 0.5],
  ] as const) {
    it(`cpu matches the reference (${causal ? 'causal' : 'bidirectional'}, attention dropout ${dropout}, lengths up to 50)`, () => {
      const layout = PackedLayout.fromLengths([12, 50, 1, 33, 50, 7]);
      const cpu = makeInputs(specs(layout.total), 'cpu', new Rng(3)),
        ref = makeInputs(specs(layout.total), 'reference', new Rng(3));
      const f = run(layout, causal, dropout);
      expectClose(values(f(cpu)), values(f(ref)), 1e-5, 1e-4, 'forward');
      const w = randn([layout.total, D], new Rng(4));
      const gc = analyticGrads(f, cpu, w),
        gr = analyticGrads(f, ref, w);
      gr.forEach((g, k) => expectClose(gc[k]!, g!, 1e-4, 1e-3, `gradient of input ${k}`));
      dispose(cpu);
      dispose(ref);
    });
  }

  it('a causal position ignores later steps; no sequence sees another; batching changes nothing', () => {
    const lengths = [9, 4, 6];
    const layout = PackedLayout.fromLengths(lengths);
    const xs = makeInputs(specs(layout.total), 'cpu', new Rng(5));
    const base = values(run(layout, true)(xs));
    // Perturb step 5 of sequence 0: its steps 0–4 and the other sequences must not move.
    const x = xs[0]!.toArray() as Float32Array;
    for (let j = 0; j < D; j++) x[layout.row(0, 5) * D + j]! += 3;
    const moved = values(run(layout, true)([tensor(x, [layout.total, D]), ...xs.slice(1)]));
    expect(rowsOf(moved, layout, 0).slice(0, 5)).toEqual(rowsOf(base, layout, 0).slice(0, 5));
    expect(rowsOf(moved, layout, 0)[5]).not.toEqual(rowsOf(base, layout, 0)[5]);
    for (const b of [1, 2]) expect(rowsOf(moved, layout, b)).toEqual(rowsOf(base, layout, b));
    // Sequence 1 alone gives the rows it had in the batch.
    const one = PackedLayout.fromLengths([lengths[1]!]);
    const x1 = Float32Array.from(rowsOf(values(xs[0]!), layout, 1).flat());
    const alone = values(run(one, true)([tensor(x1, [lengths[1]!, D]), ...xs.slice(1)]));
    expectClose(alone, rowsOf(base, layout, 1).flat(), 1e-6, 1e-5, 'sequence 1 alone');
    dispose(xs);
  });

  it('attention dropout: one seed gives one mask, and over many masks the output averages to the undropped one', () => {
    const layout = PackedLayout.fromLengths([9, 4, 1]);
    const xs = makeInputs(specs(layout.total), 'cpu', new Rng(7));
    const clean = values(run(layout, true)(xs));
    expect(values(run(layout, true, 0.3, 9)(xs))).toEqual(values(run(layout, true, 0.3, 9)(xs)));
    expect(values(run(layout, true, 0.3, 9)(xs))).not.toEqual(values(run(layout, true, 0.3, 10)(xs)));
    // Inverted dropout is unbiased: E[(P ∘ M)·v] = P·v. Over 4,000 masks the standard error
    // per entry is about 0.65/√4000 ≈ 1 % of the entry's scale (~0.5 here), so the worst of the
    // 224 entries stays near 0.02, inside the tolerance; a mask not scaled by 1/(1−p) misses by 30 %.
    const n = 4000,
      mean = new Float64Array(clean.length);
    for (let s = 0; s < n; s++)
      values(run(layout, true, 0.3, 100 + s)(xs)).forEach((v, i) => {
        mean[i]! += v / n;
      });
    expectClose(mean, clean, 0.03, 0.05, 'mean over masks');
    dispose(xs);
  });

  it('rejects a hidden size that heads do not divide, and x rows that miss the layout', () => {
    const layout = PackedLayout.fromLengths([2, 1]);
    const xs = makeInputs(specs(layout.total), 'cpu', new Rng(6));
    expect(() => ops.selfAttention(xs[0]!, layout, xs[1]!, xs[2]!, xs[3]!, xs[4]!, { heads: 3, causal: true })).toThrow(/multiple of heads \(3\)/);
    expect(() => ops.selfAttention(xs[0]!, PackedLayout.fromLengths([4]), xs[1]!, xs[2]!, xs[3]!, xs[4]!, { heads: 2, causal: true })).toThrow(
      /must have 4 rows/,
    );
    dispose(xs);
  });
});
