// `seqcore rec train|eval`: sequential recommenders (SASRec, BERT4Rec, GRU4Rec) with optional
// profile distillation, evaluated by full ranking on a leave-one-out or temporal split.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
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
import { lockOutput } from '../io/lock.js';
import { CHECKPOINT_SECONDS } from '../train/interrupt.js';
import * as flags from './flags.js';
import { MAX_COUNT, MAX_DEPTH, MAX_WIDTH } from './flags.js';
import { endWith, examples, flagName, renamed, usageError, withBackend, withThreads } from './options.js';
import { note } from './output.js';

/** The flags of rec train, eval and table, camel-cased by commander; all strings as given. */
export interface RecFlags {
  sequences?: string;
  interactions?: string;
  split: string;
  model: string;
  out?: string;
  checkpoint?: string;
  hidden: string;
  blocks: string;
  heads: string;
  maxLen: string;
  dropout: string;
  attentionDropout: string;
  ffn: string;
  activation: string;
  epochs: string;
  batch: string;
  lr: string;
  weightDecay: string;
  clip: string;
  patience: string;
  lrDecay: string;
  decayPatience: string;
  negatives: string;
  maskProb: string;
  profiles?: string;
  attributes?: string;
  profileDim: string;
  distillLayer?: string;
  pooling: string;
  gamma: string;
  distillLoss: string;
  alpha: string;
  ftEpoch: string;
  beta: string;
  keepHistory?: boolean;
  seed: string;
  seeds?: string;
  checkpointSeconds: string;
  backend: string;
  resume?: boolean;
  json?: boolean;
}
type Values = RecFlags;

/** Where the interactions come from (rec and profiles): --sequences or --interactions, and the split. */
export function withSplitFlags(cmd: Command): Command {
  cmd
    .option('--sequences <file>', 'one line per user: "user item item …" in time order (Amazon Beauty\'s Beauty.txt)')
    .option('--interactions <file>', 'user,item,timestamp CSV')
    .option('--split <kind>', 'loo (leave the last two items out) or temporal (one global time cut; needs --interactions)', 'loo');
  return renamed(cmd, 'data', 'sequences');
}

/** The model, training and distillation flags of rec train, eval and table. */
function withTrainingFlags(cmd: Command): Command {
  return withBackend(withThreads(withSplitFlags(cmd)))
    .option('--model <kind>', 'sasrec, bert4rec or gru4rec', 'sasrec')
    .option('--hidden <d>', 'hidden width', '64')
    .option('--blocks <n>', 'transformer blocks (GRU4Rec: GRU layers)', '2')
    .option('--heads <n>', 'attention heads', '1')
    .option('--max-len <n>', 'most recent items a sequence keeps', '50')
    .option('--dropout <p>', 'dropout', '0.5')
    .option('--attention-dropout <p>', 'dropout on the attention weights', '0')
    .option('--ffn <m>', "feed-forward width as a multiple of --hidden (SASRec's is 1, BERT4Rec's 4)", '1')
    .option('--activation <f>', 'feed-forward activation: gelu or relu', 'gelu')
    .option('--epochs <n>', 'most epochs (early stopping on validation NDCG@10 may end sooner)', '200')
    .option('--batch <n>', 'sequences per batch', '128')
    .option('--lr <x>', 'Adam learning rate', '0.001')
    .option('--weight-decay <x>', 'AdamW weight decay', '0')
    .option('--clip <x>', 'gradient norm clip', '0.5')
    .option('--patience <n>', 'epochs without a better validation NDCG@10 before stopping', '20')
    .option('--lr-decay <f>', 'learning rate factor after --decay-patience epochs without improvement (1: none)', '1')
    .option('--decay-patience <n>', 'epochs without improvement before --lr-decay applies', '2')
    .option('--negatives <n>', 'sampled negatives per position (0: full softmax over every item)', '0')
    .option('--mask-prob <p>', "BERT4Rec's masking probability", '0.15')
    .option('--profiles <prefix>', 'profile vectors to distil (PREFIX.npy and PREFIX.users.npy, from seqcore profiles)')
    .option('--distill-layer <k>', 'layer whose hidden states are distilled (default: the last)')
    .option('--pooling <p>', 'hidden states pooled over positions: mean, exp, attention or last', 'mean')
    .option('--gamma <x>', "exp pooling's weights ∝ exp(gamma·position)", '0.1')
    .option('--distill-loss <l>', 'mse, rmse or cosine', 'mse')
    .option('--alpha <x>', 'loss = (1 − alpha)·L_rec + alpha·beta·L_distil', '0.4')
    .option('--ft-epoch <n>', 'distil while epoch < this, then L_rec alone', '12')
    .option('--beta <b>', 'one, or scaled: the detached ratio L_rec / L_distil', 'scaled')
    .option('--keep-history', "rank a user's past items too (default: excluded from the ranking)")
    .option('--seed <n>', 'random seed', '1')
    .option('--checkpoint-seconds <s>', 'seconds between checkpoints', String(CHECKPOINT_SECONDS))
    .option('--json', 'JSON Lines: the result as one object (progress goes to stderr)');
}

export function addRecCommand(program: Command, shouldStop: () => boolean): void {
  const rec = program.command('rec').description('sequential recommenders (SASRec, BERT4Rec, GRU4Rec) with optional LLM-profile distillation');
  const run = (sub: 'train' | 'eval' | 'table') => (o: RecFlags) => onBackend(o.backend, () => recOn(sub, o, shouldStop));
  examples(
    withTrainingFlags(rec.command('train').description('train one model; test metrics of the best validation epoch (full ranking)'))
      .requiredOption('--out <dir>', 'folder for train.ckpt, train.ckpt.best and model.safetensors')
      .option('--resume', 'continue from DIR/train.ckpt')
      .action(run('train')),
    'seqcore rec train --sequences data/amazon-beauty/Beauty.txt --model sasrec --out runs/sasrec',
    'seqcore rec train --sequences Beauty.txt --out runs/distilled --profiles runs/profiles/beauty --gamma 0.1',
  );
  examples(
    withTrainingFlags(rec.command('eval').description('test metrics, mean ± std over --seeds (one training each), or of one --checkpoint'))
      .option('--seeds <list>', 'comma-separated seeds, one training each')
      .option('--checkpoint <file>', 'score this trained model (DIR/train.ckpt.best) instead of training')
      .option('--out <dir>', "each seed's checkpoints, so that a rerun resumes")
      .action(run('eval')),
    'seqcore rec eval --sequences Beauty.txt --seeds 1,2,3 --out runs/sasrec-seeds',
    'seqcore rec eval --sequences Beauty.txt --checkpoint runs/sasrec/train.ckpt.best',
  );
  examples(
    withTrainingFlags(rec.command('table').description('SASRec, SASRec + offline attribute-profile distillation (same seeds) and GRU4Rec: a markdown table'))
      .requiredOption('--attributes <file>', 'item attributes (ITEM2ATTR.json) for the offline profiles')
      .requiredOption('--out <dir>', 'folder for the runs and the table')
      .option('--seeds <list>', 'comma-separated seeds, one training each')
      .option('--profile-dim <d>', "offline profiles' dimension (truncated SVD)", '64')
      .action(run('table')),
    'seqcore rec table --sequences Beauty.txt --attributes Beauty_item2attributes.json --out runs/rec-table --seeds 1,2,3',
  );
}

// Flag values, parsed and bounded by ./flags.ts (the error names the flag and the value).
const int = (v: Values, k: keyof Values, min = 1, max = MAX_COUNT): number => flags.integer(flagName(k), v[k], min, max);
const posNum = (v: Values, k: keyof Values, max?: number): number => flags.number(flagName(k), v[k], { min: 0, above: true, max });
const nonNeg = (v: Values, k: keyof Values): number => flags.number(flagName(k), v[k], { min: 0 });
const oneOf = <T extends string>(v: Values, k: keyof Values, allowed: readonly T[]): T => flags.oneOf(flagName(k), v[k], allowed);

export function loadSplit(v: Pick<Values, 'sequences' | 'interactions' | 'split'>): RecSplit {
  const kind = flags.oneOf('--split', v.split, ['loo', 'temporal'] as const);
  if (v.sequences && v.interactions) throw usageError('give --sequences (one line of items per user) or --interactions (user,item,timestamp CSV), not both');
  if (kind === 'temporal') {
    if (!v.interactions)
      throw usageError('--split temporal needs timestamps: give --interactions FILE.csv (user,item,timestamp); a --sequences file has only the order of items');
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
  if (!v.sequences) throw usageError('--sequences or --interactions is required');
  return looSplit(readSequences(v.sequences));
}

function distillConfig(v: Values, kind: RecModelKind): DistillConfig {
  return {
    layer: v.distillLayer === undefined ? (kind === 'gru4rec' ? 1 : int(v, 'blocks')) : int(v, 'distillLayer', 0),
    pooling: oneOf(v, 'pooling', POOLINGS) as Pooling,
    gamma: nonNeg(v, 'gamma'),
    loss: oneOf(v, 'distillLoss', DISTILL_LOSSES) as DistillLossKind,
    alpha: flags.number('--alpha', v.alpha, { min: 0, max: 1 }),
    ftEpoch: int(v, 'ftEpoch', 0),
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
      maxLen: int(v, 'maxLen', 1, MAX_WIDTH),
      dropout: flags.fraction('--dropout', v.dropout),
      attentionDropout: flags.fraction('--attention-dropout', v.attentionDropout),
      ffnMultiplier: int(v, 'ffn', 1, MAX_DEPTH),
      activation: oneOf(v, 'activation', ['gelu', 'relu'] as const),
    },
    epochs: int(v, 'epochs'),
    batch: int(v, 'batch'),
    lr: posNum(v, 'lr'),
    weightDecay: nonNeg(v, 'weightDecay'),
    clip: posNum(v, 'clip'),
    patience: int(v, 'patience'),
    lrDecay: posNum(v, 'lrDecay', 1),
    decayPatience: int(v, 'decayPatience'),
    // More negatives than items only repeats items; the trainer checks against the data's item count.
    negatives: int(v, 'negatives', 0),
    maskProb: flags.fraction('--mask-prob', v.maskProb, true),
    excludeHistory: !v.keepHistory,
    distill,
    log,
    shouldStop,
    checkpointSeconds: nonNeg(v, 'checkpointSeconds'),
  };
}

const KEYS = ['HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20'] as const;

function protocol(split: RecSplit, excludeHistory: boolean): string {
  const kind = split.kind === 'loo' ? 'leave-one-out' : 'temporal global split';
  return `${kind}, full ranking over ${split.items - 1} items, history items ${excludeHistory ? 'excluded' : 'kept'}, ${split.test.length} test users`;
}

async function recOn(sub: 'train' | 'eval' | 'table', v: Values, shouldStop: () => boolean): Promise<void> {
  const log = note;
  endWith(await recResult(sub, v, shouldStop, log));
}

async function recResult(sub: 'train' | 'eval' | 'table', v: Values, shouldStop: () => boolean, log: (l: string) => void): Promise<number> {
  if (v.out) lockOutput(v.out); // one run at a time per output
  const split = loadSplit(v);
  const excludeHistory = !v.keepHistory;
  // --json: JSON Lines, the result as one object (progress goes to stderr)
  const say = (text: string, json: unknown): void => {
    process.stdout.write(v.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
  };
  if (sub === 'train') {
    const out = v.out!; // a required option of rec train
    mkdirSync(out, { recursive: true });
    const r = await trainRecommender({
      ...trainOptions(v, split, log, shouldStop),
      seed: flags.seed('--seed', v.seed),
      checkpoint: join(out, 'train.ckpt'),
      resume: v.resume,
    });
    if (r.interrupted) {
      log(`interrupted: rerun with --resume to continue from ${join(out, 'train.ckpt')}`);
      return 130;
    }
    say(`${protocol(split, excludeHistory)}; best epoch ${r.bestEpoch + 1}; model: ${join(out, 'train.ckpt.best')}\n${table([['test', r.test!]])}`, {
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
    if (!v.out || !v.attributes) throw usageError('--out and --attributes are required');
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
      profileDim: int(v, 'profileDim', 1, MAX_WIDTH),
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
    [
      `${protocol(split, excludeHistory)}; ${seeds.length} seed(s): ${seeds.join(', ')}`,
      ...KEYS.map((k) => `${k.padEnd(8)} ${s[k]!.mean.toFixed(4)} ± ${s[k]!.std.toFixed(4)}`),
    ].join('\n'),
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
