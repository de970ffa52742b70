// The whole of System 1 on generated data: generate → targets → ingest up to the input cut →
// the organisers' aggregated-features baseline → train the GRU autoencoder → embed →
// statistics → ALS → ensemble → float16 submissions → evaluate each with the challenge's
// protocol; a Markdown report next to the ensemble.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../data/generate.js';
import { ingest } from '../data/ingest.js';
import { readRelevantClients } from '../data/inputs.js';
import { buildTargets } from '../data/targets.js';
import { evaluateEmbeddings, type TaskResult } from '../eval/universal.js';
import { UBP_CONFIGS } from '../models/ubp.js';
import { embedUbp, trainUbp } from '../train/ubp.js';
import { stopRequested } from '../train/interrupt.js';
import { EventCache } from '../data/ingest.js';
import { aggregatedBaseline } from './aggregated_baseline.js';
import { computeMembers, ensembleOf } from './members.js';
import { writeReport } from './report.js';

export interface PipelineOptions {
  out: string;
  clients: number;
  epochs: number;
  /** Universal network sizes (the challenge: 2048 and 4096). */
  evalHidden: number;
  evalInner: number;
  evalEpochs: number;
  /** Autoencoder configuration (UBP_CONFIGS); members wider than `pca` are reduced to it. */
  model: keyof typeof UBP_CONFIGS;
  pca: number;
  seed: number;
  log: (line: string) => void;
  shouldStop?: () => boolean;
}

export interface PipelineResult {
  /** Scores per embedding: the organisers' baseline, UBP autoencoder, statistics, the two ALS members, ensemble. */
  results: [string, TaskResult[]][];
  trainLosses: number[];
  /** Stopped by shouldStop: training checkpointed, no report; rerunning resumes. */
  interrupted: boolean;
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const data = join(o.out, 'data');
  if (!existsSync(join(data, 'relevant_clients.npy'))) {
    o.log(`generating ${o.clients} clients into ${data}`);
    await generate({ clients: o.clients, out: data, seed: o.seed, log: o.log });
  }
  const targets = join(o.out, 'targets');
  const t = await buildTargets({ dir: data, out: targets });
  o.log(`targets: input before ${t.inputCut}; ${t.active} active of ${t.relevant} relevant clients`);
  const cache = join(o.out, 'events.seq');
  await ingest({ dir: data, out: cache, before: t.inputCut, log: o.log });
  const baselineDir = join(o.out, 'baseline');
  await aggregatedBaseline({ data, before: t.inputCut, out: baselineDir });
  const train = await trainUbp({
    cache,
    out: join(o.out, 'ubp-model'),
    model: UBP_CONFIGS[o.model],
    batchSize: 256,
    lr: 1e-3,
    epochs: o.epochs,
    maxEvents: 126,
    valFraction: 0.02,
    patience: 2,
    seed: o.seed,
    resume: true,
    log: o.log,
    shouldStop: o.shouldStop,
  });
  const stopped = (): PipelineResult => ({ results: [], trainLosses: train.losses, interrupted: true });
  if (train.interrupted) return stopped();
  const ubpDir = join(o.out, 'ubp');
  await embedUbp({ cache, model: join(o.out, 'ubp-model', 'model.ckpt'), out: ubpDir, batchSize: 512, maxEvents: 126 });
  const relevant = readRelevantClients(data);
  // Statistics and ALS (user×category, user×url factors) members, then the ensemble.
  const members = computeMembers(new EventCache(cache), relevant, o.out, o.seed, o.log);
  const ensembleDir = join(o.out, 'ensemble');
  ensembleOf(members, [ubpDir], relevant, o.pca, ensembleDir);
  const ev = { targets, data, hidden: o.evalHidden, inner: o.evalInner, epochs: o.evalEpochs, seed: o.seed, log: o.log };
  const results: [string, TaskResult[]][] = [];
  // After training nothing is checkpointed: a rerun redoes these steps, so Ctrl-C stops between them.
  for (const [name, dir] of [
    ["organisers' baseline", baselineDir],
    ['UBP autoencoder', ubpDir],
    ...members.map((m) => [m.name, m.dir]),
    ['ensemble', ensembleDir],
  ] as const) {
    if (await stopRequested(o.shouldStop)) return stopped();
    results.push([name, await evaluateEmbeddings({ ...ev, embeddings: dir })]);
  }
  const every = Math.max(1, Math.floor(train.losses.length / 20));
  await writeReport({
    dir: ensembleDir,
    about: `${o.clients} generated clients; GRU autoencoder (${o.model} configuration) trained ${o.epochs} epoch(s);
universal network ${o.evalHidden}/${o.evalInner}, ${o.evalEpochs} epochs per task (best epoch counts).`,
    results,
    loss: {
      title: 'Autoencoder training loss per step',
      xTitle: 'training step',
      series: [{ name: 'training loss', values: train.losses }],
      text: `${train.losses
        .filter((_, i) => i % every === 0)
        .map((l, i) => `${i * every}: ${l.toFixed(3)}`)
        .join(', ')}\n\nvalidation: ${train.valLosses.map((v) => v.toFixed(4)).join(', ')}`,
    },
  });
  return { results, trainLosses: train.losses, interrupted: false };
}
