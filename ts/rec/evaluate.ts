// Full-ranking evaluation of a trained recommender: every user's history is encoded, the
// hidden state at its last position scores every item, and the target's rank gives HR@K and
// NDCG@K (ts/rec/ranking.ts).
import { noGrad } from '../autograd.js';
import { maskToken, type SequenceRecommender } from '../models/recommender.js';
import * as ops from '../ops/index.js';
import { tensor, tidy, type Tensor } from '../tensor.js';
import { scoringBatch } from './batch.js';
import { rankingMetrics, targetRank, type RankingMetrics } from './ranking.js';

export interface EvalCase {
  input: Int32Array;
  target: number;
}

/** The model's output at the last position of each (non-empty) history: users×hidden. */
export function lastStates(model: SequenceRecommender, histories: readonly Int32Array[]): Tensor {
  const cfg = model.cfg,
    b = model.itemTable.backend;
  const batch = scoringBatch(
    histories,
    histories.map((_, i) => i),
    cfg.maxLen,
    maskToken(cfg),
  );
  return noGrad(() =>
    tidy(() => {
      const ids = tensor(batch.ids, [batch.layout.total], { dtype: 'int32', backend: b });
      const pos = tensor(batch.positions, [batch.layout.total], { dtype: 'int32', backend: b });
      return ops.lastStep(model.encode(ids, pos, batch.layout).output, batch.layout);
    }),
  );
}

/** Scores (users×items, item 0 and any extra rows included) for the last position of each history. */
export function scoreHistories(model: SequenceRecommender, histories: readonly Int32Array[]): Tensor {
  return noGrad(() => tidy(() => ops.matmul(lastStates(model, histories), model.itemTable, { transB: true })));
}

/** The 0-based full-ranking rank of each case's target (padding and non-item rows never candidates). */
export async function rankCases(
  model: SequenceRecommender,
  cases: readonly EvalCase[],
  opts: { excludeHistory: boolean; batch?: number },
): Promise<Int32Array> {
  const wasTraining = model.training;
  model.eval();
  const V = model.cfg.items,
    n = opts.batch ?? 256,
    ranks = new Int32Array(cases.length);
  try {
    for (let s = 0; s < cases.length; s += n) {
      const part = cases.slice(s, s + n);
      const scores = scoreHistories(
        model,
        part.map((c) => c.input),
      );
      const data = (await scores.data()) as Float32Array;
      const W = scores.shape[1]!;
      scores.dispose();
      part.forEach((c, i) => {
        ranks[s + i] = targetRank({ scores: data.subarray(i * W, i * W + V), target: c.target, history: c.input }, opts.excludeHistory);
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return ranks;
}

export async function evaluateCases(
  model: SequenceRecommender,
  cases: readonly EvalCase[],
  opts: { excludeHistory: boolean; ks?: number[] },
): Promise<RankingMetrics> {
  return rankingMetrics(await rankCases(model, cases, opts), opts.ks);
}
