// Training the UBP autoencoder on an event cache, and embedding clients with it.
//   train: length-bucketed packed batches, Adam, progress lines (step, loss, sequences/s,
//          time left), validation loss per epoch on held-out clients, early stopping,
//          checkpoints every epoch and on interrupt that resume exactly
//   embed: latents of the relevant clients in packed batches, as a float16 submission;
//          no events → zeros
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { batches } from './batcher.js';
import { EventCache, type Field } from '../data/ingest.js';
import { UbpAutoencoder, type UbpConfig } from './model.js';
import { Adam } from '../optim/adam.js';
import { writeSubmission } from './export.js';
import { manualSeed, Rng } from '../rng.js';
import { loadCheckpoint, modelConfig } from '../train/checkpoint.js';
import { onBackend } from '../backend/use.js';
import { Profiler, setProfiler } from '../profile.js';
import { Progress, progressBar } from '../train/progress.js';
import { readNoGrad, trainStep } from '../train/step.js';
import { loadModel, saveTraining } from '../train/state.js';
import { checkpointing, stopRequested } from '../train/interrupt.js';
import { EarlyStopping, RunCheckpoint } from '../train/run.js';

export interface UbpTrainOptions {
  cache: string;
  /** Directory for checkpoint.ckpt (latest), and model.ckpt and model.safetensors (best by validation loss). */
  out: string;
  model: Omit<UbpConfig, 'vocab'>;
  batchSize: number;
  lr: number;
  epochs: number;
  maxEvents: number;
  /** Share of clients held out for validation and early stopping. */
  valFraction: number;
  patience: number;
  seed: number;
  resume: boolean;
  log: (line: string) => void;
  logEvery?: number;
  /** Checked after each step: stop as on Ctrl-C (checkpoint, then return). */
  shouldStop?: () => boolean;
  /** Seconds between mid-epoch checkpoints (default CHECKPOINT_SECONDS; 0: after every step). */
  checkpointSeconds?: number;
  /** 'cpu' (default) or 'webgpu'. */
  backend?: string;
  /** Times every kernel of PROFILE_STEPS steps (after 2 warm-up steps): a table in the log and out/profile.json (Chrome trace). */
  profile?: boolean;
}

const PROFILE_STEPS = 20;

export interface UbpTrainResult {
  epochs: number;
  steps: number;
  losses: number[];
  valLosses: number[];
  interrupted: boolean;
}

/** Vocabulary sizes of the fields: one more than the largest id in the cache. */
export function vocabSizes(cache: EventCache, fields: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    fields.map((f) => {
      let max = 4; // ids up to OOV always exist
      for (const v of cache.field(f as Field)) if (v > max) max = v;
      return [f, max + 1];
    }),
  );
}

function split(cache: EventCache, fraction: number, seed: number): { train: Int32Array; val: Int32Array } {
  const rng = new Rng(seed ^ 0x5a5a5a5a),
    train: number[] = [],
    val: number[] = [];
  for (let i = 0; i < cache.clients.length; i++) {
    if (cache.length(i) === 0) continue;
    (rng.uniform() < fraction ? val : train).push(i);
  }
  return { train: Int32Array.from(train), val: Int32Array.from(val) };
}

export function trainUbp(o: UbpTrainOptions): Promise<UbpTrainResult> {
  return onBackend(o.backend, () => checkpointing(() => train(o)));
}

async function train(o: UbpTrainOptions): Promise<UbpTrainResult> {
  for (const k of ['epochs', 'batchSize', 'maxEvents', 'patience'] as const)
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new RangeError(`ubp train: ${k} must be a positive integer, got ${o[k]}`);
  if (!(o.valFraction > 0 && o.valFraction < 1)) throw new RangeError(`ubp train: valFraction must be in (0, 1), got ${o.valFraction}`);
  mkdirSync(o.out, { recursive: true });
  const cache = new EventCache(o.cache);
  manualSeed(o.seed);
  const model = new UbpAutoencoder({ ...o.model, fields: [...o.model.fields], vocab: vocabSizes(cache, o.model.fields) });
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const { train, val } = split(cache, o.valFraction, o.seed);
  if (!train.length || !val.length)
    throw new RangeError(
      `ubp train: valFraction ${o.valFraction} of the ${train.length + val.length} clients with events in ${o.cache} ` +
        `leaves ${train.length} for training and ${val.length} for validation; each needs at least one`,
    );
  const fields = o.model.fields as unknown as Field[];
  const perEpoch = Math.ceil(train.length / o.batchSize);
  const ckpt = join(o.out, 'checkpoint.ckpt'),
    best = join(o.out, 'model.ckpt');
  let epoch = 0,
    done = 0,
    step = 0;
  const losses: number[] = [],
    valLosses: number[] = [];
  // What fixes the run's batches and model: a resume must have the same.
  const settings = { config: o.model, batchSize: o.batchSize, maxEvents: o.maxEvents, valFraction: o.valFraction, seed: o.seed };
  const run = new RunCheckpoint(ckpt, model, opt, settings, o.checkpointSeconds);
  const m = run.resume(o.resume);
  const stopping = new EarlyStopping(o.patience, 'min', m ? { best: m.bestVal as number, bad: m.bad as number } : undefined);
  if (m) {
    ({ epoch, done, step } = m as { epoch: number; done: number; step: number });
    valLosses.push(...(m.valLosses as number[]));
    losses.push(...((m.losses as number[] | undefined) ?? []));
    o.log(`resumed from ${ckpt}: epoch ${epoch + 1}, batch ${done}/${perEpoch}`);
  }
  /** The checkpoint of the position to resume from: epoch `next`, its first `skip` batches done. */
  const position = (next: number, skip: number): Record<string, unknown> => ({
    epoch: next,
    done: skip,
    step,
    bestVal: stopping.best,
    bad: stopping.bad,
    losses,
    valLosses,
    config: o.model,
  });
  o.log(`ubp: ${model.parameterCount()} parameters; ${train.length} training and ${val.length} validation clients; ${perEpoch} batches per epoch`);
  const progress = new Progress(o.epochs * perEpoch, step, o.log);
  let interrupted = false,
    ema = NaN;
  const profiler = o.profile ? new Profiler() : null,
    profileFrom = step + 2;
  // Training steps timed: PROFILE_STEPS, or fewer when the epoch ends sooner (the validation is not timed).
  let profiled = 0,
    profiling = false;
  const stopProfiling = (): void => {
    profiling = false;
    setProfiler(null);
  };
  for (; epoch < o.epochs && !interrupted; epoch++, done = 0) {
    model.train();
    // The batch order of an epoch depends only on (seed, epoch): a resumed run skips the
    // batches it had done and sees the same ones after.
    let k = 0;
    for (const b of batches(cache, { batchSize: o.batchSize, fields, maxEvents: o.maxEvents, clients: train, rng: new Rng(o.seed * 7919 + epoch) })) {
      if (k++ < done) continue;
      if (profiler && step === profileFrom) {
        profiling = true;
        setProfiler(profiler);
      }
      const loss = await trainStep(() => model.loss(b), opt);
      if (profiling && ++profiled === PROFILE_STEPS) stopProfiling();
      losses.push(loss);
      ema = Number.isNaN(ema) ? loss : 0.98 * ema + 0.02 * loss;
      done++;
      step++;
      if (step % (o.logEvery ?? 20) === 0) progress.report(step, { loss: ema }, { count: b.clients.length, unit: 'seq' });
      if (await stopRequested(o.shouldStop)) {
        interrupted = true;
        break;
      }
      await run.saveIfDue(() => position(epoch, done));
    }
    if (interrupted) break;
    if (profiling) stopProfiling();
    const v = await validationLoss(model, cache, val, fields, o);
    valLosses.push(v);
    o.log(`epoch ${epoch + 1}/${o.epochs}: validation loss ${v.toFixed(4)}`);
    if (stopping.record(v, epoch)) {
      await saveTraining(best, model, opt, { epoch, config: o.model });
      // the same model as safetensors, for other tools (PyTorch: safetensors.torch.load_file)
      await model.save(join(o.out, 'model.safetensors'), {
        seqcore_model: 'ubp',
        config: JSON.stringify(model.cfg),
        epoch: String(epoch + 1),
        validation_loss: String(v),
      });
    } else if (stopping.stop) {
      o.log(`early stop: no improvement for ${stopping.bad} epoch(s)`);
      epoch++;
      await run.save(position(o.epochs, 0));
      break;
    }
    await run.save(position(epoch + 1, 0)); // a finished epoch resumes at the next one (the loop resets done)
  }
  progress.end();
  if (interrupted) {
    await run.save(position(epoch, done));
    o.log(run.interrupted(`epoch ${epoch + 1}, batch ${done}`));
  }
  if (profiler) await reportProfile(profiler, profiled, o);
  opt.dispose();
  model.dispose();
  return { epochs: epoch, steps: step, losses, valLosses, interrupted };
}

async function reportProfile(profiler: Profiler, steps: number, o: UbpTrainOptions): Promise<void> {
  setProfiler(null);
  const events = await profiler.finish();
  const trace = join(o.out, 'profile.json');
  Profiler.writeTrace(trace, events);
  o.log(
    `profile of ${steps} training steps (after 2 warm-up steps), per kernel:\n${Profiler.table(events, profiler.sources)}\n` +
      `Chrome trace (chrome://tracing, ui.perfetto.dev): ${trace}`,
  );
}

async function validationLoss(model: UbpAutoencoder, cache: EventCache, val: Int32Array, fields: Field[], o: UbpTrainOptions): Promise<number> {
  if (val.length === 0) return NaN;
  model.eval();
  let sum = 0,
    n = 0;
  for (const b of batches(cache, { batchSize: o.batchSize, fields, maxEvents: o.maxEvents, clients: val })) {
    sum +=
      (await readNoGrad(
        () => model.loss(b),
        (l) => l.scalar(),
      )) * b.clients.length;
    n += b.clients.length;
  }
  model.train();
  return sum / n;
}

/**
 * Latents of the relevant clients (the cache's relevant order) with a trained model, written
 * as a float16 submission (client_ids.npy, embeddings.npy) to `out`; no events → zeros.
 */
export async function embedUbp(o: {
  cache: string;
  model: string;
  out: string;
  batchSize: number;
  maxEvents: number;
  backend?: string;
}): Promise<{ clients: number; dim: number }> {
  const cache = new EventCache(o.cache);
  if (!existsSync(o.model)) throw new Error(`${o.model}: no trained model (run 'seqcore ubp train' first)`);
  const cfg = modelConfig(o.model, loadCheckpoint(o.model), 'ubp');
  const relevant = cache.file.readArray<BigInt64Array>('relevant');
  const rowOf = new Map<number, number>(); // cache index → output row, clients with events only
  cache.rowsOf(relevant).forEach((ci, r) => {
    if (ci >= 0 && cache.length(ci) > 0) rowOf.set(ci, r);
  });
  const H = cfg.hidden,
    out = new Float32Array(relevant.length * H);
  await onBackend(o.backend, async () => {
    const model = new UbpAutoencoder({ ...cfg, fields: [...cfg.fields], vocab: vocabSizes(cache, cfg.fields) });
    loadModel(o.model, model);
    model.eval();
    const bar = progressBar('embed: clients', rowOf.size);
    let done = 0;
    for (const b of batches(cache, {
      batchSize: o.batchSize,
      fields: cfg.fields as unknown as Field[],
      maxEvents: o.maxEvents,
      clients: Int32Array.from(rowOf.keys()),
    })) {
      const z = (await readNoGrad(
        () => model.encode(b),
        (t) => t.data(),
      )) as Float32Array;
      b.clients.forEach((ci, k) => out.set(z.subarray(k * H, (k + 1) * H), rowOf.get(ci)! * H));
      bar?.update((done += b.clients.length), '');
    }
    bar?.end();
    model.dispose();
  });
  writeSubmission(o.out, relevant, out, H, relevant);
  return { clients: relevant.length, dim: H };
}
