// `seqcore rec train|eval`: sequential recommenders (SASRec, BERT4Rec, GRU4Rec) with optional
// profile distillation, evaluated by full ranking on a leave-one-out or temporal split.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { onBackend } from '../backend/use.js';
import { REC_MODELS, type RecModelKind } from '../models/recommender.js';
import { DISTILL_LOSSES, POOLINGS, type DistillConfig, type DistillLossKind, type Pooling } from '../rec/distill.js';
import { evaluateCases } from '../rec/evaluate.js';
import { readSequences } from '../rec/sequences.js';
import { looSplit, readInteractions, temporalSplit, type RecSplit } from '../rec/split.js';
import { trainRecommender, type RecTrainOptions } from '../rec/train.js';
import { meanStd, type RankingMetrics } from '../rec/ranking.js';
import { loadProfiles } from '../profiles/pipeline.js';
import { createRecommender } from '../models/recommender.js';
import { loadModel } from '../train/state.js';
import { loadCheckpoint, modelConfig } from '../train/checkpoint.js';
import { readItemAttributes } from '../profiles/offline.js';
import { markdownTable, recTable } from '../rec/table.js';
import { lockOutput } from '../data/lock.js';
import { CHECKPOINT_SECONDS } from '../train/interrupt.js';
import * as flags from './flags.js';
import { MAX_COUNT, MAX_DEPTH, MAX_WIDTH } from './flags.js';

export const REC_USAGE = `       seqcore rec train (--data USERS.txt | --interactions FILE.csv --split temporal) --model sasrec|bert4rec|gru4rec --out DIR
                         [--hidden 64] [--blocks 2] [--heads 1] [--max-len 50] [--dropout 0.5] [--attention-dropout 0] [--epochs 200] [--batch 128] [--lr 0.001]
                         [--weight-decay 0] [--clip 0.5] [--patience 20] [--lr-decay 1 --decay-patience 2] [--negatives 0 (sampled softmax)] [--mask-prob 0.15]
                         [--profiles PREFIX --distill-layer K --pooling mean|exp|attention|last --gamma 0.1 --distill-loss mse|rmse|cosine
                          --alpha 0.4 --ft-epoch 12 --beta scaled|one] [--keep-history] [--seed 1] [--backend cpu|webgpu|cuda] [--resume] [--checkpoint-seconds 600] [--json]
       seqcore rec eval  (same data and training flags) --seeds 1,2,3 [--out DIR] [--json]    trains per seed: test metrics mean ± std (checkpoints in DIR)
       seqcore rec eval  (--data … | --interactions …) --checkpoint DIR/train.ckpt.best [--keep-history] [--json]
       seqcore rec table (--data … | --interactions …) --attributes ITEM2ATTR.json --out DIR [--seeds 1,2,3] [training and distillation flags]
                         SASRec, SASRec + offline attribute-profile distillation (same seeds), GRU4Rec: a markdown table`;

const OPTIONS = {
  data: { type: 'string' },
  interactions: { type: 'string' },
  split: { type: 'string', default: 'loo' },
  model: { type: 'string', default: 'sasrec' },
  out: { type: 'string' },
  checkpoint: { type: 'string' },
  hidden: { type: 'string', default: '64' },
  blocks: { type: 'string', default: '2' },
  heads: { type: 'string', default: '1' },
  'max-len': { type: 'string', default: '50' },
  dropout: { type: 'string', default: '0.5' },
  'attention-dropout': { type: 'string', default: '0' },
  ffn: { type: 'string', default: '1' },
  activation: { type: 'string', default: 'gelu' },
  epochs: { type: 'string', default: '200' },
  batch: { type: 'string', default: '128' },
  lr: { type: 'string', default: '0.001' },
  'weight-decay': { type: 'string', default: '0' },
  clip: { type: 'string', default: '0.5' },
  patience: { type: 'string', default: '20' },
  'lr-decay': { type: 'string', default: '1' },
  'decay-patience': { type: 'string', default: '2' },
  negatives: { type: 'string', default: '0' },
  'mask-prob': { type: 'string', default: '0.15' },
  profiles: { type: 'string' },
  attributes: { type: 'string' },
  'profile-dim': { type: 'string', default: '64' },
  'distill-layer': { type: 'string' },
  pooling: { type: 'string', default: 'mean' },
  gamma: { type: 'string', default: '0.1' },
  'distill-loss': { type: 'string', default: 'mse' },
  alpha: { type: 'string', default: '0.4' },
  'ft-epoch': { type: 'string', default: '12' },
  beta: { type: 'string', default: 'scaled' },
  'keep-history': { type: 'boolean', default: false },
  seed: { type: 'string', default: '1' },
  seeds: { type: 'string' },
  'checkpoint-seconds': { type: 'string', default: String(CHECKPOINT_SECONDS) },
  backend: { type: 'string' },
  resume: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

// Flag values, parsed and bounded by ./flags.ts (the error names the flag and the value).
const int = (v: Values, k: keyof Values, min = 1, max = MAX_COUNT): number => flags.integer(`--${k}`, v[k], min, max);
const posNum = (v: Values, k: keyof Values, max?: number): number => flags.number(`--${k}`, v[k], { min: 0, above: true, max });
const nonNeg = (v: Values, k: keyof Values): number => flags.number(`--${k}`, v[k], { min: 0 });
const oneOf = <T extends string>(v: Values, k: keyof Values, allowed: readonly T[]): T => flags.oneOf(`--${k}`, v[k], allowed);

export function loadSplit(v: Values): RecSplit {
  const kind = oneOf(v, 'split', ['loo', 'temporal'] as const);
  if (v.data && v.interactions) throw new Error('give --data (one line of items per user) or --interactions (user,item,timestamp CSV), not both');
  if (kind === 'temporal') {
    if (!v.interactions)
      throw new Error('--split temporal needs timestamps: give --interactions FILE.csv (user,item,timestamp); a --data file has only the order of items');
    return temporalSplit(readInteractions(v.interactions));
  }
  if (v.interactions) {
    const d = readInteractions(v.interactions);
    return looSplit({
      users: d.users,
      sequences: d.items.map((s, u) => {
        if (s.length < 3) throw new Error(`${v.interactions}: user ${d.users[u]} has ${s.length} interaction(s); leave-one-out needs at least 3`);
        return s;
      }),
      items: d.itemCount,
    });
  }
  if (!v.data) throw new Error(`--data or --interactions is required\n${REC_USAGE}`);
  return looSplit(readSequences(v.data));
}

function distillConfig(v: Values, kind: RecModelKind): DistillConfig {
  return {
    layer: v['distill-layer'] === undefined ? (kind === 'gru4rec' ? 1 : int(v, 'blocks')) : int(v, 'distill-layer', 0),
    pooling: oneOf(v, 'pooling', POOLINGS) as Pooling,
    gamma: nonNeg(v, 'gamma'),
    loss: oneOf(v, 'distill-loss', DISTILL_LOSSES) as DistillLossKind,
    alpha: flags.number('--alpha', v.alpha, { min: 0, max: 1 }),
    ftEpoch: int(v, 'ft-epoch', 0),
    beta: oneOf(v, 'beta', ['one', 'scaled'] as const),
  };
}

function parseSeeds(v: Values): number[] {
  return (v.seeds ?? v.seed!).split(',').map((s) => flags.seed(v.seeds ? '--seeds' : '--seed', s));
}

function trainOptions(v: Values, split: RecSplit, log: (l: string) => void, shouldStop: () => boolean): Omit<RecTrainOptions, 'seed'> {
  const kind = oneOf(v, 'model', REC_MODELS) as RecModelKind;
  let distill: RecTrainOptions['distill'];
  if (v.profiles) {
    const profiles = loadProfiles(v.profiles, split.users);
    if (!profiles.matched) throw new Error(`${v.profiles}.users.npy: none of its users is in the data`);
    log(`profiles: ${profiles.matched} of ${split.users.length} users have one (${profiles.dim} dims); the others contribute no distillation loss`);
    distill = { cfg: distillConfig(v, kind), profiles };
  }
  return {
    split,
    model: {
      kind,
      hidden: int(v, 'hidden', 1, MAX_WIDTH),
      blocks: int(v, 'blocks', 1, MAX_DEPTH),
      heads: int(v, 'heads', 1, MAX_WIDTH),
      maxLen: int(v, 'max-len', 1, MAX_WIDTH),
      dropout: flags.fraction('--dropout', v.dropout),
      attentionDropout: flags.fraction('--attention-dropout', v['attention-dropout']),
      ffnMultiplier: int(v, 'ffn', 1, MAX_DEPTH),
      activation: oneOf(v, 'activation', ['gelu', 'relu'] as const),
    },
    epochs: int(v, 'epochs'),
    batch: int(v, 'batch'),
    lr: posNum(v, 'lr'),
    weightDecay: nonNeg(v, 'weight-decay'),
    clip: posNum(v, 'clip'),
    patience: int(v, 'patience'),
    lrDecay: posNum(v, 'lr-decay', 1),
    decayPatience: int(v, 'decay-patience'),
    // More negatives than items only repeats items; the trainer checks against the data's item count.
    negatives: int(v, 'negatives', 0),
    maskProb: flags.fraction('--mask-prob', v['mask-prob'], true),
    excludeHistory: !v['keep-history'],
    distill,
    log,
    shouldStop,
    checkpointSeconds: nonNeg(v, 'checkpoint-seconds'),
  };
}

const KEYS = ['HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20'] as const;

function protocol(split: RecSplit, excludeHistory: boolean): string {
  return `${split.kind === 'loo' ? 'leave-one-out' : 'temporal global split'}, full ranking over ${split.items - 1} items, history items ${excludeHistory ? 'excluded' : 'kept'}, ${split.test.length} test users`;
}

export async function recCommand(argv: string[], shouldStop: () => boolean): Promise<number> {
  const [sub, ...rest] = argv;
  const { values: v } = parseArgs({ args: rest, options: OPTIONS });
  return onBackend(v.backend, () => recOn(sub, v, shouldStop));
}

async function recOn(sub: string | undefined, v: Values, shouldStop: () => boolean): Promise<number> {
  const log = (l: string): void => {
    process.stderr.write(`${l}\n`);
  };
  if (v.out) lockOutput(v.out); // one run at a time per output
  const split = loadSplit(v);
  const excludeHistory = !v['keep-history'];
  // --json: JSON Lines, the result as one object (progress goes to stderr)
  const say = (text: string, json: unknown): void => {
    process.stdout.write(v.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
  };
  if (sub === 'train') {
    if (!v.out) throw new Error(`--out is required\n${REC_USAGE}`);
    mkdirSync(v.out, { recursive: true });
    const r = await trainRecommender({
      ...trainOptions(v, split, log, shouldStop),
      seed: flags.seed('--seed', v.seed),
      checkpoint: join(v.out, 'train.ckpt'),
      resume: v.resume,
    });
    if (r.interrupted) {
      log(`interrupted: rerun with --resume to continue from ${join(v.out, 'train.ckpt')}`);
      return 130;
    }
    say(`${protocol(split, excludeHistory)}; best epoch ${r.bestEpoch + 1}; model: ${join(v.out, 'train.ckpt.best')}\n${table([['test', r.test!]])}`, {
      protocol: protocol(split, excludeHistory),
      excludeHistory,
      bestEpoch: r.bestEpoch + 1,
      valid: r.valid,
      test: r.test,
      sequencesPerSecond: r.sequences / r.trainSeconds,
    });
    return 0;
  }
  if (sub === 'table') {
    if (!v.out || !v.attributes) throw new Error(`--out and --attributes are required\n${REC_USAGE}`);
    // The table makes its own attribute profiles for the distillation row; given profiles
    // would also reach the SASRec and GRU4Rec rows through the shared options.
    if (v.profiles) throw new Error('rec table builds its own attribute profiles from --attributes; --profiles is for rec train and rec eval');
    mkdirSync(v.out, { recursive: true });
    const base = trainOptions(v, split, log, shouldStop);
    const rows = await recTable({
      split,
      attributes: readItemAttributes(v.attributes),
      out: v.out,
      seeds: parseSeeds(v),
      base,
      profileDim: int(v, 'profile-dim', 1, MAX_WIDTH),
      log,
      distill: distillConfig(v, base.model.kind),
    });
    if (!rows) return 130;
    say(`${protocol(split, excludeHistory)}; test metrics, mean ± std over seeds\n\n${markdownTable(rows)}`, {
      protocol: protocol(split, excludeHistory),
      excludeHistory,
      rows,
    });
    return 0;
  }
  if (sub !== 'eval') throw new Error(`unknown rec command '${sub ?? ''}'\n${REC_USAGE}`);
  if (v.checkpoint) {
    const config = modelConfig(v.checkpoint, loadCheckpoint(v.checkpoint), 'rec');
    if (config.items !== split.items) throw new Error(`${v.checkpoint}: the model has ${config.items - 1} items, the data ${split.items - 1}`);
    const model = createRecommender(config);
    loadModel(v.checkpoint, model);
    const test = await evaluateCases(model, split.test, { excludeHistory });
    say(`${protocol(split, excludeHistory)}\n${table([['test', test]])}`, { protocol: protocol(split, excludeHistory), excludeHistory, test });
    return 0;
  }
  const seeds = parseSeeds(v),
    opts = trainOptions(v, split, log, shouldStop);
  const runs: RankingMetrics[] = [];
  for (const seed of seeds) {
    log(`seed ${seed}`);
    // With --out each seed's run checkpoints, and a rerun resumes where it stopped.
    const r = await trainRecommender({ ...opts, seed, ...(v.out ? { checkpoint: join(v.out, `seed${seed}`, 'train.ckpt'), resume: true } : {}) });
    if (r.interrupted) {
      log(v.out ? `interrupted: rerun the same command to resume from ${v.out}` : 'interrupted (give --out DIR to checkpoint and resume)');
      return 130;
    }
    runs.push(r.test!);
  }
  const s = Object.fromEntries(KEYS.map((k) => [k, meanStd(runs.map((r) => r[k]))]));
  say(
    `${protocol(split, excludeHistory)}; ${seeds.length} seed(s): ${seeds.join(', ')}\n${KEYS.map((k) => `${k.padEnd(8)} ${s[k]!.mean.toFixed(4)} ± ${s[k]!.std.toFixed(4)}`).join('\n')}`,
    { protocol: protocol(split, excludeHistory), excludeHistory, seeds, runs, summary: s },
  );
  return 0;
}

function table(rows: [string, RankingMetrics][]): string {
  return [
    `split  ${KEYS.map((k) => k.padStart(8)).join(' ')}`,
    ...rows.map(([n, m]) => `${n.padEnd(6)} ${KEYS.map((k) => m[k].toFixed(4).padStart(8)).join(' ')}`),
  ].join('\n');
}
