import { describe, expect, it } from 'vitest';
import { auroc, diversity, macroAuroc, novelty, propensityScores } from '../ts/ubp/metrics.js';

const logit = (p: number): number => Math.log(p / (1 - p));

describe('challenge metrics on hand-computed cases', () => {
  it('AUROC: pairs ranked right, ties counted half, one class undefined', () => {
    // positives 0.8, 0.4; negatives 0.5, 0.1: of the 4 pairs, 3 ranked right → 0.75
    expect(auroc([0.8, 0.5, 0.4, 0.1], [1, 0, 1, 0])).toBe(0.75);
    // a tie between a positive and a negative counts ½: pairs (0.5+,0.5−)=½, (0.5+,0.2−)=1 → 0.75
    expect(auroc([0.5, 0.5, 0.2], [1, 0, 0])).toBe(0.75);
    expect(auroc([0.1, 0.2, 0.3], [0, 0, 1])).toBe(1);
    expect(auroc([0.3, 0.2], [1, 1])).toBeNaN();
  });

  it('macro AUROC, as torchmetrics: a label with one class only scores 0 and stays in the average', () => {
    // users×labels 3×2; label 0: scores (0.9, 0.1, 0.5) labels (1, 0, 0) → 1; label 1: all 0 → 0
    expect(macroAuroc(Float32Array.from([0.9, 0, 0.1, 0, 0.5, 0]), [1, 0, 0, 0, 0, 0], 3, 2)).toBe(0.5);
    // all positive is one class too
    expect(macroAuroc(Float32Array.from([0.9, 0, 0.1, 0, 0.5, 0]), [1, 1, 0, 1, 0, 1], 3, 2)).toBe(0.5);
    expect(propensityScores(Float32Array.from([0.9, 0, 0.1, 0, 0.5, 0]), [1, 0, 0, 0, 0, 0], [0.5, 0.5], 3, 2).oneClassLabels).toBe(1);
  });

  it('diversity: uniform outputs give 1, one dominant output less', () => {
    expect(diversity(Float32Array.from([0, 0, 0, 0]), 1, 4)).toBeCloseTo(1, 12);
    // sigmoids (0.5, 0.5) and (0.9, 0.1) → the second user's distribution is (0.9, 0.1): H = 0.469
    const h = -(0.9 * Math.log2(0.9) + 0.1 * Math.log2(0.1));
    expect(diversity(Float32Array.from([0, 0, logit(0.9), logit(0.1)]), 2, 2)).toBeCloseTo((1 + h) / 2, 6);
  });

  it('novelty: predicting the popular targets with certainty gives 0, the rare ones almost 1', () => {
    const pop = [0.5, 0.3, 0.2];
    // k = 1: the top prediction is target 0 with sigmoid → 1: Σ = 0.5 / 0.5 = 1 → (1 − 1)^100 = 0
    expect(novelty(Float32Array.from([30, -30, -30]), pop, 1, 3, 1)).toBeCloseTo(0, 12);
    // k = 1, the top is target 2 at sigmoid 0.5: 0.5·0.2 / 0.5 = 0.2 → 0.8^100
    expect(novelty(Float32Array.from([-30, -30, 0]), pop, 1, 3, 1)).toBeCloseTo(0.8 ** 100, 12);
  });

  it('novelty and AUROC with many ties: as a stable sort of every row and ranks averaged over tie groups give them, bit for bit', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const users = 60,
      width = 30;
    const logits = Float32Array.from({ length: users * width }, () => Math.floor(next() * 4) - 2); // 4 levels: ties everywhere
    const pop = Array.from({ length: width }, () => next());
    const sig = (x: number): number => 1 / (1 + Math.exp(-x));
    const best = [...pop]
      .sort((a, b) => b - a)
      .slice(0, 10)
      .reduce((a, b) => a + b, 0);
    let total = 0;
    for (let i = 0; i < users; i++) {
      const row = (j: number): number => logits[i * width + j]!;
      const top = Array.from({ length: width }, (_, j) => j)
        .sort((a, b) => row(b) - row(a))
        .slice(0, 10);
      total += top.reduce((a, j) => a + sig(row(j)) * pop[j]!, 0) / best;
    }
    expect(novelty(logits, pop, users, width)).toBe((1 - total / users) ** 100);
    const scores = logits.subarray(0, 200),
      labels = Array.from({ length: 200 }, () => (next() < 0.3 ? 1 : 0));
    let rankSum = 0;
    for (let i = 0; i < 200; i++)
      if (labels[i]) {
        let below = 0,
          equal = 0;
        for (const s of scores) {
          if (s < scores[i]!) below++;
          else if (s === scores[i]) equal++;
        }
        rankSum += below + (equal + 1) / 2;
      }
    const pos = labels.filter(Boolean).length;
    expect(auroc(scores, labels)).toBe((rankSum - (pos * (pos + 1)) / 2) / (pos * (200 - pos)));
  });

  it('propensity score = 0.8·AUROC + 0.1·novelty + 0.1·diversity', () => {
    const logits = Float32Array.from([2, -1, -2, 1]),
      labels = [1, 0, 0, 1];
    const s = propensityScores(logits, labels, [0.6, 0.4], 2, 2);
    expect(s.auroc).toBe(1);
    expect(s.score).toBeCloseTo(0.8 * s.auroc + 0.1 * s.novelty + 0.1 * s.diversity, 12);
  });
});
