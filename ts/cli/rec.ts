// `seqcore rec train|eval`: sequential recommenders (SASRec, BERT4Rec, GRU4Rec) with optional
// profile distillation, evaluated by full ranking on a leave-one-out or temporal split.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { native } from '../native.js';
import { onBackend } from '../backend/use.js';
import { REC_MODELS, type RecModelKind } from '../models/recommender.js';
import { DISTILL_LOSSES, POOLINGS, type DistillConfig, type DistillLossKind, type Pooling } from '../rec/distill.js';
import { evaluateCases } from '../rec/evaluate.js';
import { readSequences } from '../rec/sequences.js';
import { looSplit, readInteractions, temporalSplit, type RecSplit } from '../rec/split.js';
import { trainRecommender, type RecTrainOptions } from '../rec/train.js';
import { meanStd, type RankingMetrics } from '../rec/ranking.js';
import { loadProfiles } from '../profiles/pipeline.js';
import { createRecommender, type RecModelConfig } from '../models/recommender.js';
import { loadModel } from '../train/state.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { readItemAttributes } from '../profiles/offline.js';
import { markdownTable, recTable } from '../rec/table.js';

export const REC_USAGE = `       seqcore rec train (--data USERS.txt | --interactions FILE.csv --split temporal) --model sasrec|bert4rec|gru4rec --out DIR
                         [--hidden 64] [--blocks 2] [--heads 1] [--max-len 50] [--dropout 0.5] [--attention-dropout 0] [--epochs 200] [--batch 128] [--lr 0.001]
                         [--weight-decay 0] [--clip 0.5] [--patience 20] [--lr-decay 1 --decay-patience 2] [--negatives 0 (sampled softmax)] [--mask-prob 0.15]
                         [--profiles PREFIX --distill-layer K --pooling mean|exp|attention|last --gamma 0.1 --distill-loss mse|rmse|cosine
                          --alpha 0.4 --ft-epoch 12 --beta scaled|one] [--keep-history] [--seed 1] [--threads N] [--backend cpu|webgpu] [--resume] [--json]
       seqcore rec eval  (same data and training flags) --seeds 1,2,3 [--json]    trains per seed: test metrics mean ± std
       seqcore rec eval  (--data … | --interactions …) --checkpoint DIR/train.ckpt.best [--keep-history] [--json]
       seqcore rec table (--data … | --interactions …) --attributes ITEM2ATTR.json --out DIR [--seeds 1,2,3] [training and distillation flags]
                         SASRec, SASRec + offline attribute-profile distillation (same seeds), GRU4Rec: a markdown table`;

const OPTIONS = {
  data: { type: 'string' }, interactions: { type: 'string' }, split: { type: 'string', default: 'loo' },
  model: { type: 'string', default: 'sasrec' }, out: { type: 'string' }, checkpoint: { type: 'string' },
  hidden: { type: 'string', default: '64' }, blocks: { type: 'string', default: '2' }, heads: { type: 'string', default: '1' },
  'max-len': { type: 'string', default: '50' }, dropout: { type: 'string', default: '0.5' }, 'attention-dropout': { type: 'string', default: '0' }, ffn: { type: 'string', default: '1' },
  activation: { type: 'string', default: 'gelu' }, epochs: { type: 'string', default: '200' }, batch: { type: 'string', default: '128' },
  lr: { type: 'string', default: '0.001' }, 'weight-decay': { type: 'string', default: '0' }, clip: { type: 'string', default: '0.5' },
  patience: { type: 'string', default: '20' }, 'lr-decay': { type: 'string', default: '1' }, 'decay-patience': { type: 'string', default: '2' }, negatives: { type: 'string', default: '0' }, 'mask-prob': { type: 'string', default: '0.15' },
  profiles: { type: 'string' }, attributes: { type: 'string' }, 'profile-dim': { type: 'string', default: '64' }, 'distill-layer': { type: 'string' }, pooling: { type: 'string', default: 'mean' }, gamma: { type: 'string', default: '0.1' },
  'distill-loss': { type: 'string', default: 'mse' }, alpha: { type: 'string', default: '0.4' }, 'ft-epoch': { type: 'string', default: '12' },
  beta: { type: 'string', default: 'scaled' }, 'keep-history': { type: 'boolean', default: false }, seed: { type: 'string', default: '1' },
  seeds: { type: 'string' }, threads: { type: 'string' }, backend: { type: 'string' }, resume: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function num(v: Values, k: keyof Values, check: (n: number) => boolean, what: string): number {
  const n = Number(v[k]);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`--${k} must be ${what}, got '${String(v[k])}'`);
  return n;
}
const posInt = (v: Values, k: keyof Values): number => num(v, k, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
const unit = (n: number): boolean => n >= 0 && n < 1;
const nonNeg = (v: Values, k: keyof Values): number => num(v, k, (n) => n >= 0, 'a non-negative number');
function oneOf<T extends string>(v: Values, k: keyof Values, allowed: readonly T[]): T {
  const x = String(v[k]);
  if (!allowed.includes(x as T)) throw new Error(`--${k} must be one of ${allowed.join(', ')}, got '${x}'`);
  return x as T;
}

export function loadSplit(v: Values): RecSplit {
  const kind = oneOf(v, 'split', ['loo', 'temporal'] as const);
  if (v.data && v.interactions) throw new Error('give --data (one line of items per user) or --interactions (user,item,timestamp CSV), not both');
  if (kind === 'temporal') {
    if (!v.interactions) throw new Error('--split temporal needs timestamps: give --interactions FILE.csv (user,item,timestamp); a --data file has only the order of items');
    return temporalSplit(readInteractions(v.interactions));
  }
  if (v.interactions) {
    const d = readInteractions(v.interactions);
    return looSplit({ users: d.users, sequences: d.items.map((s, u) => { if (s.length < 3) throw new Error(`${v.interactions}: user ${d.users[u]} has ${s.length} interaction(s); leave-one-out needs at least 3`); return s; }), items: d.itemCount });
  }
  if (!v.data) throw new Error(`--data or --interactions is required\n${REC_USAGE}`);
  return looSplit(readSequences(v.data));
}

function distillConfig(v: Values, kind: RecModelKind): DistillConfig {
  return {
    layer: v['distill-layer'] === undefined ? (kind === 'gru4rec' ? 1 : posInt(v, 'blocks')) : num(v, 'distill-layer', (n) => Number.isInteger(n) && n >= 0, 'a layer index ≥ 0'),
    pooling: oneOf(v, 'pooling', POOLINGS) as Pooling, gamma: nonNeg(v, 'gamma'),
    loss: oneOf(v, 'distill-loss', DISTILL_LOSSES) as DistillLossKind,
    alpha: num(v, 'alpha', (n) => n >= 0 && n <= 1, 'in [0, 1]'), ftEpoch: nonNeg(v, 'ft-epoch'),
    beta: oneOf(v, 'beta', ['one', 'scaled'] as const),
  };
}

function parseSeeds(v: Values): number[] {
  return (v.seeds ?? v.seed!).split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--seeds must be a comma-separated list of integers, got '${v.seeds}'`);
    return n;
  });
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
      kind, hidden: posInt(v, 'hidden'), blocks: posInt(v, 'blocks'), heads: posInt(v, 'heads'), maxLen: posInt(v, 'max-len'),
      dropout: num(v, 'dropout', unit, 'in [0, 1)'),
      attentionDropout: num(v, 'attention-dropout', unit, 'in [0, 1)'), ffnMultiplier: posInt(v, 'ffn'), activation: oneOf(v, 'activation', ['gelu', 'relu'] as const),
    },
    epochs: posInt(v, 'epochs'), batch: posInt(v, 'batch'), lr: num(v, 'lr', (n) => n > 0, 'positive'), weightDecay: nonNeg(v, 'weight-decay'),
    clip: num(v, 'clip', (n) => n > 0, 'positive'), patience: posInt(v, 'patience'),
    lrDecay: num(v, 'lr-decay', (n) => n > 0 && n <= 1, 'in (0, 1]'), decayPatience: posInt(v, 'decay-patience'), negatives: num(v, 'negatives', (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'),
    maskProb: num(v, 'mask-prob', (n) => n > 0 && n < 1, 'in (0, 1)'), excludeHistory: !v['keep-history'], distill, log, shouldStop,
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
  const log = (l: string): void => { process.stderr.write(`${l}\n`); };
  if (v.threads) native.setThreads(posInt(v, 'threads'));
  const split = loadSplit(v);
  const excludeHistory = !v['keep-history'];
  const say = (text: string, json: unknown): void => { process.stdout.write(v.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`); };
  if (sub === 'train') {
    if (!v.out) throw new Error(`--out is required\n${REC_USAGE}`);
    mkdirSync(v.out, { recursive: true });
    const r = await trainRecommender({ ...trainOptions(v, split, log, shouldStop), seed: posInt(v, 'seed'), checkpoint: join(v.out, 'train.ckpt'), resume: v.resume });
    if (r.interrupted) { log(`interrupted: rerun with --resume to continue from ${join(v.out, 'train.ckpt')}`); return 130; }
    say(`${protocol(split, excludeHistory)}; best epoch ${r.bestEpoch + 1}; model: ${join(v.out, 'train.ckpt.best')}\n${table([['test', r.test!]])}`,
      { protocol: protocol(split, excludeHistory), excludeHistory, bestEpoch: r.bestEpoch + 1, valid: r.valid, test: r.test, sequencesPerSecond: r.sequences / r.trainSeconds });
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
      split, attributes: readItemAttributes(v.attributes), out: v.out, seeds: parseSeeds(v), base, profileDim: posInt(v, 'profile-dim'), log,
      distill: distillConfig(v, base.model.kind),
    });
    say(`${protocol(split, excludeHistory)}; test metrics, mean ± std over seeds\n\n${markdownTable(rows)}`, { protocol: protocol(split, excludeHistory), excludeHistory, rows });
    return 0;
  }
  if (sub !== 'eval') throw new Error(`unknown rec command '${sub ?? ''}'\n${REC_USAGE}`);
  if (v.checkpoint) {
    const meta = loadCheckpoint(v.checkpoint).meta as { config?: RecModelConfig };
    if (!meta.config) throw new Error(`${v.checkpoint}: not a recommender model (no config); give the model.best file rec train wrote`);
    if (meta.config.items !== split.items) throw new Error(`${v.checkpoint}: the model has ${meta.config.items - 1} items, the data ${split.items - 1}`);
    const model = createRecommender(meta.config);
    loadModel(v.checkpoint, model);
    const test = await evaluateCases(model, split.test, { excludeHistory });
    say(`${protocol(split, excludeHistory)}\n${table([['test', test]])}`, { protocol: protocol(split, excludeHistory), excludeHistory, test });
    return 0;
  }
  const seeds = parseSeeds(v), opts = trainOptions(v, split, log, shouldStop);
  const runs: RankingMetrics[] = [];
  for (const seed of seeds) {
    log(`seed ${seed}`);
    const r = await trainRecommender({ ...opts, seed });
    if (r.interrupted) return 130;
    runs.push(r.test!);
  }
  const s = Object.fromEntries(KEYS.map((k) => [k, meanStd(runs.map((r) => r[k]))]));
  say(`${protocol(split, excludeHistory)}; ${seeds.length} seed(s): ${seeds.join(', ')}\n${KEYS.map((k) => `${k.padEnd(8)} ${s[k]!.mean.toFixed(4)} ± ${s[k]!.std.toFixed(4)}`).join('\n')}`,
    { protocol: protocol(split, excludeHistory), excludeHistory, seeds, runs, summary: s });
  return 0;
}

function table(rows: [string, RankingMetrics][]): string {
  return [`split  ${KEYS.map((k) => k.padStart(8)).join(' ')}`, ...rows.map(([n, m]) => `${n.padEnd(6)} ${KEYS.map((k) => m[k].toFixed(4).padStart(8)).join(' ')}`)].join('\n');
}
