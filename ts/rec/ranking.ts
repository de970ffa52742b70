// Full-ranking evaluation of next-item recommenders (issue 7's protocol): every item is a
// candidate; the target's rank is the number of candidates scored strictly higher plus the
// number tied with it (ties count against the target, so a constant scorer earns nothing).
// Item 0 is padding and never a candidate. With `excludeHistory`, the items of the user's
// input history are removed from the candidates, except the target itself.
//   HR@K   = mean over users of [rank < K]
//   NDCG@K = mean over users of [rank < K] / log2(rank + 2)   (one relevant item per user)

export interface RankingCase {
  /** Scores of items 0..V−1 for this user (index 0, padding, is ignored). */
  scores: ArrayLike<number>;
  target: number;
  /** The user's input history (excluded from the candidates when asked). */
  history: ArrayLike<number>;
}

/** The target's 0-based rank among the candidates. */
export function targetRank(c: RankingCase, excludeHistory: boolean): number {
  const V = c.scores.length;
  if (!Number.isInteger(c.target) || c.target < 1 || c.target >= V) throw new RangeError(`targetRank: target ${c.target} is not an item in [1, ${V - 1}]`);
  const s = c.scores[c.target]!;
  if (Number.isNaN(s)) throw new RangeError(`targetRank: the target's score is NaN`);
  const beats = (v: number): boolean => v >= s || Number.isNaN(v); // ties and NaN count against the target
  // Count over every item (one tight loop), then take back the target itself and the
  // excluded history items that were counted.
  let rank = 0;
  for (let i = 1; i < V; i++) if (beats(c.scores[i]!)) rank++;
  rank--; // the target ties with itself
  if (excludeHistory) {
    const seen = new Set<number>();
    for (const i of Array.from(c.history)) {
      if (i === c.target || i < 1 || i >= V || seen.has(i)) continue;
      seen.add(i);
      if (beats(c.scores[i]!)) rank--;
    }
  }
  return rank;
}

/** Mean and sample standard deviation (0 for a single value), e.g. of a metric over seeds. */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0 };
}

export type RankingMetrics = Record<`${'HR' | 'NDCG'}@${number}`, number>;

/** HR@K and NDCG@K for each K, over the ranks of every user. */
export function rankingMetrics(ranks: ArrayLike<number>, ks: readonly number[] = [5, 10, 20]): RankingMetrics {
  const out: Record<string, number> = {};
  const n = ranks.length;
  for (const k of ks) {
    let hr = 0,
      ndcg = 0;
    for (let u = 0; u < n; u++) {
      const r = ranks[u]!;
      if (r < k) {
        hr++;
        ndcg += 1 / Math.log2(r + 2);
      }
    }
    out[`HR@${k}`] = n ? hr / n : 0;
    out[`NDCG@${k}`] = n ? ndcg / n : 0;
  }
  return out as RankingMetrics;
}
