import { describe, expect, it } from 'vitest';
import { rankingMetrics, targetRank } from '../ts/rec/ranking.js';
import { leaveOneOut, parseSequences } from '../ts/rec/sequences.js';

describe('full-ranking metrics (hand-computed)', () => {
  const scores = [99, 0.9, 0.1, 0.5, 0.5, 0.2]; // item 0 is padding: its score is ignored

  it('ranks the target among every item: higher scores and ties count against it', () => {
    expect(targetRank({ scores, target: 3, history: [] }, false)).toBe(2); // item 1 higher, item 4 tied
    expect(targetRank({ scores, target: 3, history: [1] }, true)).toBe(1); // item 1 excluded
    expect(targetRank({ scores, target: 3, history: [1, 3, 4] }, true)).toBe(0); // the target itself stays
    expect(targetRank({ scores, target: 1, history: [] }, false)).toBe(0);
    expect(targetRank({ scores: [0, 1, 1, 1, 1], target: 2, history: [] }, false)).toBe(3); // a constant scorer earns nothing
  });

  it('HR@K and NDCG@K', () => {
    const m = rankingMetrics([0, 1, 4, 25], [1, 5]);
    expect(m['HR@1']).toBe(0.25);
    expect(m['NDCG@1']).toBe(0.25);
    expect(m['HR@5']).toBe(0.75);
    expect(m['NDCG@5']).toBeCloseTo((1 + 1 / Math.log2(3) + 1 / Math.log2(6)) / 4, 12);
    expect(rankingMetrics([], [10])).toEqual({ 'HR@10': 0, 'NDCG@10': 0 });
  });

  it('rejects a target that is not an item, and a NaN target score', () => {
    expect(() => targetRank({ scores, target: 0, history: [] }, false)).toThrow(/target 0 is not an item in \[1, 5\]/);
    expect(() => targetRank({ scores, target: 6, history: [] }, false)).toThrow(/target 6/);
    expect(() => targetRank({ scores: [0, NaN, 1], target: 1, history: [] }, false)).toThrow(/NaN/);
  });
});

describe('user sequences and the leave-one-out split', () => {
  it('parses "uid i1 i2 ..." lines and splits: last item test, the one before validation', () => {
    const s = parseSequences('1 5 6 7\n2 3 4 9 8\n\n');
    expect(s.users).toEqual([1, 2]);
    expect(s.items).toBe(10);
    const l = leaveOneOut(s);
    expect(l.train.map((q) => Array.from(q))).toEqual([[5], [3, 4]]);
    expect(l.valid.map((v) => [Array.from(v.input), v.target])).toEqual([
      [[5], 6],
      [[3, 4], 9],
    ]);
    expect(l.test.map((v) => [Array.from(v.input), v.target])).toEqual([
      [[5, 6], 7],
      [[3, 4, 9], 8],
    ]);
  });

  it('names the line and field of bad input', () => {
    expect(() => parseSequences('1 2 3 4\n2 3 x 5 6\n', 'b.txt')).toThrow(/b\.txt:2: field 3 \('x'\) is not a positive integer id/);
    expect(() => parseSequences('1 2 3 4\n3 7 8\n', 'b.txt')).toThrow(/b\.txt:2: user 3 has 2 item\(s\); leave-one-out needs at least 3/);
    expect(() => parseSequences('1 0 3 4\n', 'b.txt')).toThrow(/field 2 \('0'\)/);
    expect(() => parseSequences('\n', 'b.txt')).toThrow(/b\.txt: no users/);
  });
});
