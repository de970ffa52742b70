// The challenge's evaluation: a fixed "universal" network trained per task on the submitted
// embeddings (Linear(d→h) → LayerNorm → 3 × [x + Linear(i→h)(GELU(Linear(h→i)(LN(x))))] →
// LayerNorm → Linear(h→outputs); AdamW lr 1e-3, batch 128, 3 epochs, binary cross-entropy),
// trained on the training-window targets and scored on the validation window after every
// epoch; the best epoch counts. h = 2048, i = 4096 by default, as the challenge.
import { join } from 'node:path';
import { onBackend } from '../backend/use.js';
import { checkOutputDir } from '../io/atomic.js';
import { assertRelevant, readFloats, readIds, readRelevantClients, relevantClientsFile, uniqueIndex } from '../data/inputs.js';
import { readSubmission } from './export.js';
import { LayerNorm, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import * as ops from '../ops/index.js';
import { AdamW } from '../optim/adam.js';
import { manualSeed, Rng } from '../rng.js';
import { tensor, type Tensor } from '../tensor.js';
import { progressBar } from '../train/progress.js';
import { readNoGrad, trainStep } from '../train/step.js';
import { macroAuroc, propensityScores } from './metrics.js';

export class UniversalNetwork extends Module {
  readonly input: Linear;
  readonly norm: LayerNorm;
  readonly blocks: { norm: LayerNorm; up: Linear; down: Linear }[];
  readonly outNorm: LayerNorm;
  readonly head: Linear;
  constructor(d: number, outputs: number, hidden = 2048, inner = 4096) {
    super();
    this.input = this.child('input', new Linear(d, hidden));
    this.norm = this.child('norm', new LayerNorm(hidden));
    this.blocks = [0, 1, 2].map((k) => ({
      norm: this.child(`block${k}_norm`, new LayerNorm(hidden)),
      up: this.child(`block${k}_up`, new Linear(hidden, inner)),
      down: this.child(`block${k}_down`, new Linear(inner, hidden)),
    }));
    this.outNorm = this.child('out_norm', new LayerNorm(hidden));
    this.head = this.child('head', new Linear(hidden, outputs));
  }
  forward(x: Tensor): Tensor {
    let h = this.norm.forward(this.input.forward(x));
    for (const b of this.blocks) h = ops.add(h, b.down.forward(ops.gelu(b.up.forward(b.norm.forward(h)))));
    return this.head.forward(this.outNorm.forward(h));
  }
}

export interface TaskResult {
  task: string;
  score: number;
  auroc: number;
  novelty?: number;
  diversity?: number;
  /** Propensity tasks: target labels with one class only among the scored labels (each scores 0 in the AUROC). */
  oneClassLabels?: number;
  bestEpoch: number;
  /** Mean training loss of each epoch. */
  losses: number[];
}

/** The sum of the tasks' scores (the challenge's leaderboard sums them). */
export const scoreSum = (results: readonly TaskResult[]): number => results.reduce((a, t) => a + t.score, 0);

export interface EvalOptions {
  /** Targets directory written by buildTargets. */
  targets: string;
  /** The data directory (for relevant_clients.npy). */
  data: string;
  /** Directory with client_ids.npy and embeddings.npy. */
  embeddings: string;
  hidden?: number;
  inner?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  log?: (line: string) => void;
  /** 'cpu' (default) or 'webgpu': where the universal network trains. */
  backend?: string;
  /**
   * Score on this share of each task's clients, held out of training, against their
   * training-window labels instead of the validation window (which is then not read): for
   * choices about the embedding (members, their sizes) that must never see the scored window.
   */
  holdout?: number;
}

/** Churn and conversion: the score is the AUROC itself, the official way (one class only: 0), as one label of macroAuroc. */
function aurocScore(logits: Float32Array, labels: Float32Array): { score: number; auroc: number } {
  const a = macroAuroc(logits, labels, labels.length, 1);
  return { score: a, auroc: a };
}

/** Trains on the task's training rows and scores its scored rows (the same clients unless held out). */
async function runTask(t: Task, dim: number, o: EvalOptions): Promise<TaskResult> {
  const { name: task, x, train, valid, width, popularity } = t;
  const scored = t.scoreX ?? x;
  const n = x.length / dim,
    ns = scored.length / dim;
  manualSeed(o.seed ?? 1);
  const net = new UniversalNetwork(dim, width, o.hidden, o.inner);
  const opt = new AdamW(net.parameters(), { lr: o.lr ?? 1e-3, weightDecay: 0.01 });
  const bs = o.batchSize ?? 128,
    rng = new Rng(o.seed ?? 1);
  let best: TaskResult = { task, score: -Infinity, auroc: NaN, bestEpoch: 0, losses: [] };
  const losses: number[] = [];
  const batches = Math.ceil(n / bs),
    bar = progressBar(`eval ${task}: batches`, (o.epochs ?? 3) * batches);
  for (let epoch = 0; epoch < (o.epochs ?? 3); epoch++) {
    net.train();
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    let sum = 0;
    for (let s = 0; s < n; s += bs) {
      const idx = order.slice(s, s + bs),
        m = idx.length;
      const xb = new Float32Array(m * dim),
        yb = new Float32Array(m * width);
      idx.forEach((r, k) => {
        xb.set(x.subarray(r * dim, (r + 1) * dim), k * dim);
        yb.set(train.subarray(r * width, (r + 1) * width), k * width);
      });
      sum += m * (await trainStep(() => ops.bceWithLogits(net.forward(tensor(xb, [m, dim])), tensor(yb, [m, width])), opt));
      bar?.update(epoch * batches + s / bs + 1, `epoch ${epoch + 1}`);
    }
    losses.push(sum / n);
    net.eval();
    const logits = new Float32Array(ns * width);
    for (let s = 0; s < ns; s += 1024) {
      const m = Math.min(1024, ns - s);
      logits.set(
        (await readNoGrad(
          () => net.forward(tensor(scored.subarray(s * dim, (s + m) * dim), [m, dim])),
          (t) => t.data(),
        )) as Float32Array,
        s * width,
      );
    }
    const scores = popularity ? propensityScores(logits, valid, popularity, ns, width) : aurocScore(logits, valid);
    const r: TaskResult = { task, ...scores, bestEpoch: epoch + 1, losses: [] };
    o.log?.(`eval ${task}: epoch ${epoch + 1} loss ${losses[epoch]!.toFixed(4)} score ${r.score.toFixed(4)}`);
    // The best epoch counts; a NaN score (a target with one class only) never wins but is
    // kept when no epoch has a defined score.
    if (Number.isNaN(r.score) ? epoch === 0 : !(r.score <= best.score)) best = r;
  }
  bar?.end();
  opt.dispose();
  net.dispose();
  return { ...best, losses };
}

export function evaluateEmbeddings(o: EvalOptions): Promise<TaskResult[]> {
  return onBackend(o.backend, () => evaluate(o));
}

/**
 * One task's inputs: the network trains on rows of x against `train` and scores the rows of
 * `scoreX` (default: x, the same clients) against `valid`.
 */
interface Task {
  name: string;
  x: Float32Array;
  train: Float32Array;
  valid: Float32Array;
  width: number;
  popularity: Float32Array | null;
  scoreX?: Float32Array;
}

/** The split of a holdout evaluation: fixed, so that every embedding is scored on the same clients. */
const HOLDOUT_SEED = 20250;

/**
 * `t` scored on a held-out share of its clients' training-window labels: the network trains
 * on the other clients' training-window labels; the validation window is never read.
 */
function heldOut(t: Task, dim: number, fraction: number): Task {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`evaluation holdout: a share of the clients in (0, 1), got ${fraction}`);
  const n = t.x.length / dim,
    order = new Rng(HOLDOUT_SEED).shuffle(Array.from({ length: n }, (_, i) => i));
  const k = Math.max(1, Math.round(n * fraction));
  const rows = (src: Float32Array, w: number, idx: number[]): Float32Array => {
    const out = new Float32Array(idx.length * w);
    idx.forEach((r, j) => out.set(src.subarray(r * w, (r + 1) * w), j * w));
    return out;
  };
  const hold = order.slice(0, k),
    fit = order.slice(k);
  return { ...t, x: rows(t.x, dim, fit), train: rows(t.train, t.width, fit), scoreX: rows(t.x, dim, hold), valid: rows(t.train, t.width, hold) };
}

/**
 * Every input read and checked before any training: the embeddings (readSubmission), and
 * each target's shape against the clients and the propensity targets it should cover.
 */
function loadTasks(o: EvalOptions): { tasks: Task[]; dim: number } {
  for (const dir of [o.data, o.targets]) checkOutputDir(dir);
  const relevant = readRelevantClients(o.data),
    n = relevant.length;
  const { values: x, dim } = readSubmission(o.embeddings, relevant);
  const file = (f: string): string => join(o.targets, f);
  // A holdout evaluation never reads the validation window (its scored labels come from the training window).
  const targets = (name: string, shape: number[], why: string): [Float32Array, Float32Array] => {
    const train = readFloats(file(`train_target/${name}.npy`), shape, why).values;
    return [train, o.holdout ? train : readFloats(file(`validation_target/${name}.npy`), shape, why).values];
  };
  const propensity = (k: string, name: string): Task => {
    const popularity = readFloats(file(`popularity_propensity_${k}.npy`), [null], 'one popularity per target').values;
    const [train, valid] = targets(k, [n, popularity.length], `${n} relevant clients × the ${popularity.length} targets of popularity_propensity_${k}.npy`);
    return { name, x, train, valid, width: popularity.length, popularity };
  };
  // churn: active clients only, in the order of active_clients.npy, which is the churn
  // targets' (buildTargets writes it in relevant-client order; a file from elsewhere need not be).
  const active = readIds(file('active_clients.npy'));
  assertRelevant(active, relevant, file('active_clients.npy'));
  const rowOf = uniqueIndex(relevant, relevantClientsFile(o.data)!);
  const activeRows = Array.from(active, (id) => rowOf.get(id)!);
  const xa = new Float32Array(activeRows.length * dim);
  activeRows.forEach((r, k) => xa.set(x.subarray(r * dim, (r + 1) * dim), k * dim));
  const [churnTrain, churnValid] = targets('churn', [activeRows.length], `${activeRows.length} active clients in active_clients.npy`);
  const [conversionTrain, conversionValid] = targets('conversion', [n], `${n} relevant clients`);
  const tasks: Task[] = [
    { name: 'churn', x: xa, train: churnTrain, valid: churnValid, width: 1, popularity: null },
    propensity('category', 'category propensity'),
    propensity('sku', 'sku propensity'),
    { name: 'conversion (hidden)', x, train: conversionTrain, valid: conversionValid, width: 1, popularity: null },
    propensity('new_sku', 'new sku propensity (hidden)'),
    propensity('price', 'price propensity (hidden)'),
  ];
  return { tasks, dim };
}

async function evaluate(o: EvalOptions): Promise<TaskResult[]> {
  const { tasks, dim } = loadTasks(o);
  const results: TaskResult[] = [];
  for (const t of tasks) results.push(await runTask(o.holdout ? heldOut(t, dim, o.holdout) : t, dim, o));
  return results;
}
