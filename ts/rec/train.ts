// Training a sequential recommender (SASRec, BERT4Rec, GRU4Rec) with full-softmax (or
// sampled-softmax) cross-entropy, AdamW and gradient-norm clipping, optionally guided by
// user-profile distillation (ts/rec/distill.ts); early stopping on validation NDCG@10, the
// best model kept, a checkpoint after every epoch so an interrupted run resumes.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backward } from '../autograd.js';
import { createRecommender, maskToken, type RecModelConfig, type SequenceRecommender } from '../models/recommender.js';
import { Module } from '../nn/module.js';
import * as ops from '../ops/index.js';
import { AdamW } from '../optim/adam.js';
import { globalRng, manualSeed } from '../rng.js';
import { tensor, tidyAsync, type Tensor } from '../tensor.js';
import { loadModel } from '../train/state.js';
import { saveCheckpoint } from '../train/checkpoint.js';
import { fmtTime, progressBar } from '../train/progress.js';
import { checkpointing, stopRequested } from '../train/interrupt.js';
import { EarlyStopping, RunCheckpoint } from '../train/run.js';
import { IGNORE, maskedItemBatch, nextItemBatch, type RecBatch } from './batch.js';
import { DistillHead, distillFactors, type DistillConfig, type ProfileTable } from './distill.js';
import { evaluateCases } from './evaluate.js';
import type { RankingMetrics } from './ranking.js';
import type { RecSplit } from './split.js';

export interface RecTrainOptions {
  split: RecSplit;
  model: Omit<RecModelConfig, 'items'>;
  epochs: number;
  batch: number;
  lr: number;
  weightDecay: number;
  /** Global gradient-norm clip. */
  clip: number;
  seed: number;
  /** Stop after this many evaluations without a better validation NDCG@10. */
  patience: number;
  /** Multiply the learning rate by lrDecay after every decayPatience evaluations without a better NDCG@10 (ReduceLROnPlateau); 1 = constant. */
  lrDecay?: number;
  decayPatience?: number;
  /** Sampled softmax with this many shared uniform negatives per batch; 0 = full softmax. */
  negatives: number;
  maskProb: number;
  excludeHistory: boolean;
  distill?: { cfg: DistillConfig; profiles: ProfileTable };
  /** Training state after each epoch, on interrupt and every `checkpointSeconds` within an epoch; the best model goes to `${checkpoint}.best`. */
  checkpoint?: string;
  resume?: boolean;
  /** Seconds between mid-epoch checkpoints (default CHECKPOINT_SECONDS; 0: after every step). */
  checkpointSeconds?: number;
  /** Stop after this many steps (benchmarks); no evaluation then. */
  maxSteps?: number;
  logEvery?: number;
  log?: (line: string) => void;
  shouldStop?: () => boolean;
}

export interface RecTrainResult {
  epochsRun: number;
  bestEpoch: number;
  valid: RankingMetrics | null;
  test: RankingMetrics | null;
  trainSeconds: number;
  sequences: number;
  /** L_rec of every step of this call, in order. */
  losses: number[];
  interrupted: boolean;
}

/** Where in an epoch a checkpoint was taken: the epoch's user order, steps done, running loss sums. */
interface EpochPosition {
  order: number[];
  done: number;
  sumRec: number;
  sumDis: number;
  nDis: number;
}

/** The model and the distillation head, so one optimizer and one checkpoint cover both. */
class Trainable extends Module {
  constructor(
    readonly model: SequenceRecommender,
    readonly head: DistillHead | null,
  ) {
    super();
    this.child('model', model);
    if (head) this.child('distill', head);
  }
}

/** Mean cross-entropy of the rows that have a target: full softmax over the item table, or sampled. */
function recLoss(model: SequenceRecommender, output: Tensor, batch: RecBatch, negatives: number): Tensor {
  const b = output.backend,
    E = model.itemTable;
  const rows: number[] = [],
    targets: number[] = [];
  batch.targets.forEach((t, r) => {
    if (t !== IGNORE) {
      rows.push(r);
      targets.push(t);
    }
  });
  const h = rows.length === batch.targets.length ? output : ops.embedding(output, tensor(Int32Array.from(rows), [rows.length], { dtype: 'int32', backend: b }));
  if (negatives <= 0) {
    const logits = ops.matmul(h, E, { transB: true });
    return ops.softmaxCrossEntropy(logits, tensor(Int32Array.from(targets), [rows.length], { dtype: 'int32', backend: b }));
  }
  // Sampled softmax: column 0 is the target's score, then N uniform negatives shared by the
  // batch (a negative that happens to be a row's target is not removed).
  const rng = globalRng(),
    d = model.cfg.hidden;
  const neg = Int32Array.from({ length: negatives }, () => 1 + rng.int(model.cfg.items - 1));
  const pos = ops.matmul(
    ops.mul(h, ops.embedding(E, tensor(Int32Array.from(targets), [rows.length], { dtype: 'int32', backend: b }))),
    tensor(new Float32Array(d).fill(1), [d, 1], { backend: b }),
  );
  const negs = ops.matmul(h, ops.embedding(E, tensor(neg, [negatives], { dtype: 'int32', backend: b })), { transB: true });
  return ops.softmaxCrossEntropy(ops.concat([pos, negs]), tensor(new Int32Array(rows.length), [rows.length], { dtype: 'int32', backend: b }));
}

export function trainRecommender(o: RecTrainOptions): Promise<RecTrainResult & { model: SequenceRecommender }> {
  return checkpointing(() => train(o));
}

async function train(o: RecTrainOptions): Promise<RecTrainResult & { model: SequenceRecommender }> {
  const log = o.log ?? (() => {});
  manualSeed(o.seed);
  const cfg: RecModelConfig = { ...o.model, items: o.split.items };
  const model = createRecommender(cfg);
  const dist = o.distill;
  if (dist && (dist.cfg.layer < 0 || dist.cfg.layer > model.layers))
    throw new RangeError(`--distill-layer ${dist.cfg.layer}: ${cfg.kind} has hidden layers 0 … ${model.layers}`);
  // Sampled logits are rows × negatives: more negatives than items would only repeat items, at
  // any size the flag allows (seen: --negatives 1000000 killed by the OOM killer at 22.8 GB).
  if (o.negatives > cfg.items - 1)
    throw new RangeError(`--negatives ${o.negatives}: the data has ${cfg.items - 1} items, so at most ${cfg.items - 1} negatives (0: the full softmax)`);
  const head = dist ? new DistillHead(dist.cfg, dist.profiles.dim, cfg.hidden) : null;
  const all = new Trainable(model, head);
  const opt = new AdamW(all.parameters(), { lr: o.lr, weightDecay: o.weightDecay, betas: [0.9, 0.98], maxGradNorm: o.clip });
  const mask = maskToken(cfg);
  const trainUsers = o.split.train.flatMap((s, u) => (s.length >= (mask === undefined ? 2 : 1) ? [u] : []));
  if (!trainUsers.length) throw new Error('no user has enough training items (next-item training needs 2)');
  const best = o.checkpoint ? `${o.checkpoint}.best` : null;
  if (o.checkpoint) mkdirSync(dirname(o.checkpoint), { recursive: true });

  let epoch = 0,
    lr = o.lr;
  // Without a checkpoint the best epoch's parameters are kept in memory, so the test is
  // always scored on the model early stopping chose.
  let bestState: Awaited<ReturnType<SequenceRecommender['stateDict']>> | null = null;
  // A checkpoint taken inside an epoch also holds that epoch's user order, the steps done and
  // the running loss sums; the RNG state it restores is the one after the last step done.
  let within: EpochPosition | null = null;
  // What fixes the run's batches and model: a resume must have the same.
  const settings = { model: cfg, batch: o.batch, seed: o.seed, negatives: o.negatives, maskProb: o.maskProb, distill: dist?.cfg ?? null };
  const run = new RunCheckpoint(o.checkpoint, all, opt, settings, o.checkpointSeconds);
  const meta = run.resume(o.resume);
  // Early stopping on validation NDCG@10.
  const stopping = new EarlyStopping(
    o.patience,
    'max',
    meta ? { best: meta.bestScore as number, bestEpoch: meta.bestEpoch as number, bad: meta.bad as number } : undefined,
  );
  if (meta) {
    ({ epoch, lr } = meta as { epoch: number; lr: number });
    within = (meta.within as EpochPosition | undefined) ?? null;
    opt.lr = lr;
    log(
      `resumed from ${o.checkpoint}: epoch ${epoch + 1}${within ? `, step ${within.done}` : ''}` +
        `${stopping.bestEpoch >= 0 ? `, best validation NDCG@10 ${stopping.best.toFixed(4)} at epoch ${stopping.bestEpoch + 1}` : ''}`,
    );
  }
  /** The counters a checkpoint keeps: resume at epoch `next`, at `at` within it (null: its start). */
  const counters = (next: number, at: EpochPosition | null): Record<string, unknown> => ({
    epoch: next,
    bestEpoch: stopping.bestEpoch,
    bestScore: stopping.best,
    bad: stopping.bad,
    lr,
    ...(at ? { within: at } : {}),
  });

  const stepsPerEpoch = Math.ceil(trainUsers.length / o.batch);
  let trainSeconds = 0,
    sequences = 0,
    steps = 0,
    interrupted = false;
  const losses: number[] = [];
  const logEvery = o.logEvery ?? 50;
  // Every return, interrupted or early (maxSteps), releases the optimizer state and the head.
  try {
    for (; epoch < o.epochs && !stopping.stop; epoch++) {
      const order = within?.order ?? globalRng().shuffle([...trainUsers]);
      const distilNow = dist && epoch < dist.cfg.ftEpoch ? dist : null;
      let { sumRec, sumDis, nDis } = within ?? { sumRec: 0, sumDis: 0, nDis: 0 };
      const s0 = within?.done ?? 0;
      within = null;
      const position = (done: number): EpochPosition => ({ order, done, sumRec, sumDis, nDis });
      const t0 = performance.now();
      const bar = progressBar(`epoch ${epoch + 1}/${o.epochs}: steps`, stepsPerEpoch, s0);
      for (let s = s0; s < stepsPerEpoch; s++) {
        const users = order.slice(s * o.batch, (s + 1) * o.batch);
        const batch =
          mask === undefined
            ? nextItemBatch(o.split.train, users, cfg.maxLen)
            : maskedItemBatch(o.split.train, users, cfg.maxLen, mask, o.maskProb, globalRng());
        const r = await step(all, opt, batch, o.negatives, distilNow);
        sumRec += r.rec;
        losses.push(r.rec);
        if (r.distil !== null) {
          sumDis += r.distil;
          nDis++;
        }
        sequences += users.length;
        steps++;
        bar?.update(s + 1, `loss ${(sumRec / (s + 1)).toFixed(4)}${nDis ? `  distil ${(sumDis / nDis).toFixed(4)}` : ''}`);
        if (!bar && steps % logEvery === 0) {
          const secs = trainSeconds + (performance.now() - t0) / 1000;
          const left = ((o.epochs - epoch) * stepsPerEpoch - s - 1) * (secs / steps);
          log(
            `epoch ${epoch + 1}/${o.epochs} step ${s + 1}/${stepsPerEpoch}  loss ${(sumRec / (s + 1)).toFixed(4)}` +
              `${nDis ? `  distil ${(sumDis / nDis).toFixed(4)}` : ''}  ${(sequences / secs).toFixed(0)} seq/s  left ≤ ${fmtTime(left)}`,
          );
        }
        if (o.maxSteps !== undefined && steps >= o.maxSteps) break;
        if (await stopRequested(o.shouldStop)) {
          interrupted = true;
          await run.save(counters(epoch, position(s + 1)));
          break;
        }
        if (s + 1 < stepsPerEpoch) await run.saveIfDue(() => counters(epoch, position(s + 1)));
      }
      bar?.end();
      const epochSeconds = (performance.now() - t0) / 1000;
      trainSeconds += epochSeconds;
      if (interrupted) break;
      if (o.maxSteps !== undefined && steps >= o.maxSteps)
        return { model, epochsRun: epoch + 1, bestEpoch: -1, valid: null, test: null, trainSeconds, sequences, losses, interrupted: false };
      const v = await evaluateCases(model, o.split.valid, { excludeHistory: o.excludeHistory, ks: [10] });
      // Validation is not expected to improve while distilling: patience and learning-rate decay
      // count only the epochs of L_rec alone (seen: a plateau at epoch 8 stopped a run that was
      // to distil until epoch 12).
      const counts = !(dist && epoch < dist.cfg.ftEpoch);
      const score = v['NDCG@10'],
        improved = stopping.record(score, epoch, counts);
      if (improved) {
        if (best) await saveModel(best, model, { kind: cfg.kind, config: cfg, epoch });
        else bestState = await model.stateDict();
      } else if (counts && stopping.bad % (o.decayPatience ?? Infinity) === 0 && (o.lrDecay ?? 1) !== 1) {
        opt.lr = lr *= o.lrDecay!;
        log(`no better validation NDCG@10 for ${stopping.bad} epochs: learning rate ${lr.toPrecision(3)}`);
      }
      log(
        `epoch ${epoch + 1}: loss ${(sumRec / stepsPerEpoch).toFixed(4)}${nDis ? `  distil ${(sumDis / nDis).toFixed(4)}` : ''}` +
          `  valid NDCG@10 ${score.toFixed(4)} HR@10 ${v['HR@10'].toFixed(4)}` +
          `${improved ? '  best' : `  (best ${stopping.best.toFixed(4)} at epoch ${stopping.bestEpoch + 1})`}` +
          `  ${(order.length / epochSeconds).toFixed(0)} training seq/s`,
      );
      await run.save(counters(epoch + 1, null));
    }
    const bestEpoch = stopping.bestEpoch;
    if (interrupted) return { model, epochsRun: epoch, bestEpoch, valid: null, test: null, trainSeconds, sequences, losses, interrupted };
    if (best && existsSync(best)) loadModel(best, model);
    else if (bestState) model.loadStateDict(bestState);
    const valid = await evaluateCases(model, o.split.valid, { excludeHistory: o.excludeHistory });
    const test = await evaluateCases(model, o.split.test, { excludeHistory: o.excludeHistory });
    return { model, epochsRun: epoch, bestEpoch, valid, test, trainSeconds, sequences, losses, interrupted };
  } finally {
    opt.dispose();
    head?.dispose();
  }
}

/**
 * The model alone (no profile path), in the layout loadModel reads (saveCheckpoint writes
 * atomically), and beside it model.safetensors for other tools, with the same header fields as
 * the ubp autoencoder's: the configuration as JSON and the epoch counted from 1.
 */
async function saveModel(path: string, model: SequenceRecommender, meta: { kind: string; config: unknown; epoch: number }): Promise<void> {
  saveCheckpoint(path, { meta, arrays: new Map([...(await model.stateDict())].map(([k, v]) => [`model.${k}`, v] as const)) });
  await model.save(join(dirname(path), 'model.safetensors'), { seqcore_model: 'rec', config: JSON.stringify(meta.config), epoch: String(meta.epoch + 1) });
}

/** One optimisation step; returns L_rec and L_distil (null when not distilling or no user in the batch has a profile). */
async function step(
  all: Trainable,
  opt: AdamW,
  batch: RecBatch,
  negatives: number,
  dist: { cfg: DistillConfig; profiles: ProfileTable } | null,
): Promise<{ rec: number; distil: number | null }> {
  const model = all.model,
    b = model.itemTable.backend,
    n = batch.layout.total;
  try {
    return await tidyAsync(async () => {
      const ids = tensor(batch.ids, [n], { dtype: 'int32', backend: b });
      const pos = tensor(batch.positions, [n], { dtype: 'int32', backend: b });
      const { output, hidden } = model.encode(ids, pos, batch.layout);
      const lRec = recLoss(model, output, batch, negatives);
      let total = lRec,
        distil: number | null = null,
        rec: number | null = null;
      const term = dist && all.head ? all.head.term(all.head.pool(hidden[dist.cfg.layer]!, batch.layout), batch.users, dist.profiles) : null;
      if (dist && term) {
        // β and RMSE need both values before backward: the only read mid-step (a sync on webgpu).
        rec = await lRec.scalar();
        const f = distillFactors(dist.cfg, await term.t.scalar(), rec);
        distil = f.value;
        total = ops.add(ops.scale(lRec, 1 - dist.cfg.alpha), ops.scale(term.t, dist.cfg.alpha * f.beta * f.factor));
      }
      backward(total);
      await opt.stepAsync();
      return { rec: rec ?? (await lRec.scalar()), distil };
    });
  } finally {
    opt.zeroGrad();
  }
}
