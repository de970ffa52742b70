// Recommender suite: training sequences/s and ms per epoch of SASRec (hidden 64, 2 blocks,
// 1 head, length 50, dropout 0.5, full-softmax CE) and GRU4Rec on Amazon Beauty's
// leave-one-out training sequences, beside the same models in PyTorch (bench/rec_torch.py),
// alternating rounds in one run. The unit measured is the real training loop
// (trainRecommender: batch building, forward, backward, clipping, AdamW), so it is timed by
// steps rather than by benny's per-call sampling; each side reports its best round.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataHome } from '../ts/data/fetch.js';
import { native } from '../ts/index.js';
import { readSequences } from '../ts/rec/sequences.js';
import { looSplit } from '../ts/rec/split.js';
import { trainRecommender, type RecTrainOptions } from '../ts/rec/train.js';
import { TorchReference } from './reference.js';
import { report, type Row, type SuiteOptions } from './report.js';

const DATA = process.env.SEQCORE_BEAUTY ?? join(dataHome(), 'amazon-beauty', 'Beauty.txt');

/** The suite's training settings of each model (bench/rec_torch.py's too), but the data and the steps. */
export const benchTraining = (kind: 'sasrec' | 'gru4rec'): Omit<RecTrainOptions, 'split'> => ({
  model: {
    kind,
    hidden: 64,
    blocks: kind === 'sasrec' ? 2 : 1,
    heads: 1,
    maxLen: 50,
    dropout: 0.5,
    attentionDropout: 0,
    ffnMultiplier: 1,
    activation: 'gelu',
  },
  epochs: 1,
  batch: 128,
  lr: 1e-3,
  weightDecay: 0,
  clip: 0.5,
  seed: 1,
  patience: 1,
  negatives: 0,
  maskProb: 0.15,
  excludeHistory: true,
});

export async function recSuite(opts: SuiteOptions): Promise<void> {
  if (!existsSync(DATA))
    throw new Error(`rec suite: ${DATA} not found (seqcore data fetch amazon-beauty puts it there, or set SEQCORE_BEAUTY to a Beauty.txt)`);
  native.setThreads(opts.threads);
  const split = looSplit(readSequences(DATA));
  const trainUsers = split.train.filter((s) => s.length >= 2).length;
  const steps = Math.max(10, Math.round(opts.seconds * 10));
  const torch = await TorchReference.start(opts.threads);
  const rows: Row[] = [];
  try {
    for (const kind of ['sasrec', 'gru4rec'] as const) {
      const run = (maxSteps: number) => trainRecommender({ ...benchTraining(kind), split, maxSteps });
      await run(3); // warm-up: allocator, thread pool
      let ours = 0,
        ref: number | null = null;
      for (let round = 0; round < opts.rounds; round++) {
        const r = await run(steps);
        ours = Math.max(ours, r.sequences / r.trainSeconds);
        const t = await torch.run({ suite: 'rec', data: DATA, model: kind, steps });
        if (t !== null) ref = Math.max(ref ?? 0, t);
      }
      rows.push({
        suite: 'rec',
        case: kind,
        ours,
        reference: ref,
        unit: 'seq/s',
        extra: { 'ms/epoch': ((1000 * trainUsers) / ours).toFixed(0), 'ref ms/epoch': ref ? ((1000 * trainUsers) / ref).toFixed(0) : '-' },
      });
    }
  } finally {
    torch.close();
  }
  report(rows, opts.json, [
    `rec: training on Beauty (${trainUsers} sequences per epoch, batch 128, ${steps} steps per round, best of ${opts.rounds}), ` +
      `${opts.threads} threads, ${native.isa().active}`,
    `reference: ${torch.label || 'PyTorch'}; hidden 64, length 50, dropout 0.5, full softmax over ${split.items} rows`,
  ]);
}
