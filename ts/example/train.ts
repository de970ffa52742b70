// The example job: train NextEventModel on a synthetic Markov event source whose entropy is
// the best loss reachable. Shows progress, checkpoints, and resumes after an interrupt.
import { MarkovSource } from './markov.js';
import { NextEventModel, type NextEventConfig } from './model.js';
import { native } from '../native.js';
import { AdamW } from '../optim/adam.js';
import { Rng, manualSeed } from '../rng.js';
import { tensor } from '../tensor.js';
import { onBackend } from '../backend/use.js';
import { Progress } from '../train/progress.js';
import { readNoGrad, trainStep } from '../train/step.js';
import { checkpointing, stopRequested } from '../train/interrupt.js';
import { RunCheckpoint } from '../train/run.js';

export interface ExampleOptions {
  steps: number;
  batch: number;
  lr: number;
  seed: number;
  threads?: number;
  /** Checkpoint file: written every `checkpointEvery` steps and on interrupt. */
  checkpoint?: string;
  checkpointEvery: number;
  resume: boolean;
  logEvery: number;
  log: (line: string) => void;
  /** Stop early (as on Ctrl-C) once this returns true; checked after each step. */
  shouldStop?: () => boolean;
  /** 'cpu' (default) or 'webgpu'. */
  backend?: string;
}

export const EXAMPLE_MODEL: NextEventConfig = { vocab: 32, order: 2, embed: 32, hidden: 256, dropout: 0.1 };

export interface ExampleResult {
  step: number;
  trainLoss: number;
  evalLoss: number;
  entropy: number;
  interrupted: boolean;
}

export function runExample(o: ExampleOptions): Promise<ExampleResult> {
  return onBackend(o.backend, () => checkpointing(() => run(o)));
}

async function run(o: ExampleOptions): Promise<ExampleResult> {
  if (o.threads !== undefined) native.setThreads(o.threads);
  manualSeed(o.seed);
  const source = new MarkovSource(EXAMPLE_MODEL.vocab, EXAMPLE_MODEL.order, 0.8, o.seed);
  const model = new NextEventModel(EXAMPLE_MODEL);
  const opt = new AdamW(model.parameters(), { lr: o.lr, weightDecay: 0.01, maxGradNorm: 1 });
  const run = new RunCheckpoint(o.checkpoint, model, opt, { batch: o.batch, seed: o.seed });
  let step = 0;
  const resumed = run.resume(o.resume);
  if (resumed) {
    step = Number(resumed.step);
    o.log(`resumed from ${o.checkpoint} at step ${step}`);
  }
  const save = (): Promise<void> => run.save({ step });

  o.log(
    `example: next-event model (${model.parameterCount()} parameters) on a Markov source, vocab ${source.vocab}, order ${source.order}; ` +
      `entropy floor ${source.entropy().toFixed(4)} nats`,
  );
  const progress = new Progress(o.steps, step, o.log);
  let ema = NaN,
    interrupted = false;
  while (step < o.steps) {
    // Each step's batch depends only on (seed, step): a resumed run sees the same data.
    const { context, next } = source.batch(o.batch, new Rng(o.seed * 1000003 + step));
    const loss = await trainStep(() => model.loss(tensor(context, [o.batch, source.order]), tensor(next)), opt);
    step++;
    ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
    if (step % o.logEvery === 0 || step === o.steps) progress.report(step, { loss: ema }, { count: o.batch, unit: 'samples' });
    if (step % o.checkpointEvery === 0) await save();
    if (await stopRequested(o.shouldStop)) {
      interrupted = true;
      break;
    }
  }
  progress.end();
  await save();
  if (interrupted) o.log(run.interrupted(`step ${step}`));

  model.eval();
  const held = source.batch(8192, new Rng(o.seed ^ 0x7fffffff));
  const evalLoss = await readNoGrad(
    () => model.loss(tensor(held.context, [8192, source.order]), tensor(held.next)),
    (l) => l.scalar(),
  );
  o.log(`eval loss ${evalLoss.toFixed(4)} nats (entropy floor ${source.entropy().toFixed(4)}, uniform guess ${Math.log(source.vocab).toFixed(4)})`);
  opt.dispose();
  model.dispose();
  return { step, trainLoss: ema, evalLoss, entropy: source.entropy(), interrupted };
}
