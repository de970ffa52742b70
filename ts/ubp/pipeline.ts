// The whole of System 1 on generated data: generate → targets → ingest up to the input cut →
// count baseline → train the GRU autoencoder → embed → statistics → ALS → ensemble → float16
// submissions → evaluate each with the challenge's protocol; a Markdown report next to the
// ensemble.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { barChart, lineChart, PALETTE_NAMES } from '../report/png.js';
import { join } from 'node:path';
import { generate } from '../data/generate.js';
import { ingest } from '../data/ingest.js';
import { readNpy } from '../data/npy.js';
import { buildTargets } from '../data/targets.js';
import { evaluateEmbeddings, type TaskResult } from '../eval/universal.js';
import { UBP_CONFIGS } from '../models/ubp.js';
import { embedUbp, trainUbp } from '../train/ubp.js';
import { EventCache } from '../data/ingest.js';
import { countBaseline } from './baseline.js';
import { computeMembers, ensembleOf } from './members.js';

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
  /** Scores per embedding: count baseline, UBP autoencoder, statistics, the two ALS members, ensemble. */
  results: [string, TaskResult[]][];
  trainLosses: number[];
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
  await countBaseline({ data, before: t.inputCut, out: baselineDir });
  const train = await trainUbp({
    cache, out: join(o.out, 'ubp-model'), model: UBP_CONFIGS[o.model], batchSize: 256, lr: 1e-3, epochs: o.epochs,
    maxEvents: 126, valFraction: 0.02, patience: 2, seed: o.seed, resume: true, log: o.log, shouldStop: o.shouldStop,
  });
  if (train.interrupted) throw new Error('interrupted: rerun the same command to resume training');
  const ubpDir = join(o.out, 'ubp');
  embedUbp({ cache, model: join(o.out, 'ubp-model', 'model.ckpt'), out: ubpDir, batchSize: 512, maxEvents: 126 });
  const relevant = readNpy(join(data, 'relevant_clients.npy')).data as BigInt64Array;
  // Statistics and ALS (user×category, user×url factors) members, then the ensemble.
  const members = computeMembers(new EventCache(cache), relevant, o.out, o.seed);
  const ensembleDir = join(o.out, 'ensemble');
  ensembleOf(members, [ubpDir], relevant, o.pca, ensembleDir);
  const ev = { targets, data, hidden: o.evalHidden, inner: o.evalInner, epochs: o.evalEpochs, seed: o.seed, log: o.log };
  const results: [string, TaskResult[]][] = [
    ['count baseline', evaluateEmbeddings({ ...ev, embeddings: baselineDir })],
    ['UBP autoencoder', evaluateEmbeddings({ ...ev, embeddings: ubpDir })],
    ...Object.entries(members).map(([name, dir]): [string, TaskResult[]] => [name, evaluateEmbeddings({ ...ev, embeddings: dir })]),
    ['ensemble', evaluateEmbeddings({ ...ev, embeddings: ensembleDir })],
  ];
  writeReport(join(ensembleDir, 'report.md'), o, results, train.losses, train.valLosses);
  return { results, trainLosses: train.losses };
}

/** The score table: one row per task, one column per embedding, then the sums. */
export function scoreTable(results: [string, TaskResult[]][]): string {
  const tasks = results[0]![1].map((t) => t.task);
  const sum = (r: TaskResult[]): number => r.reduce((a, x) => a + x.score, 0);
  return [`| task | ${results.map(([n]) => n).join(' | ')} |`, `|---|${results.map(() => '---|').join('')}`,
    ...tasks.map((t, i) => `| ${t} | ${results.map(([, r]) => r[i]!.score.toFixed(4)).join(' | ')} |`),
    `| **sum** | ${results.map(([, r]) => sum(r).toFixed(4)).join(' | ')} |`].join('\n');
}

function writeReport(path: string, o: PipelineOptions, results: [string, TaskResult[]][], losses: number[], valLosses: number[]): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const every = Math.max(1, Math.floor(losses.length / 20));
  const text = `# Universal Behavioral Profiles — evaluation report

${o.clients} generated clients; GRU autoencoder (${o.model} configuration) trained ${o.epochs} epoch(s);
universal network ${o.evalHidden}/${o.evalInner}, ${o.evalEpochs} epochs per task (best epoch counts).

## Scores (the challenge's: churn = AUROC; propensity = 0.8·AUROC + 0.1·novelty + 0.1·diversity)

${scoreTable(results)}

## Every metric

${['| embedding | task | AUROC | novelty | diversity | score | best epoch |', '|---|---|---|---|---|---|---|',
  ...results.flatMap(([name, rs]) => rs.map((r) =>
    `| ${name} | ${r.task} | ${r.auroc.toFixed(4)} | ${r.novelty?.toFixed(4) ?? '-'} | ${r.diversity?.toFixed(4) ?? '-'} | ${r.score.toFixed(4)} | ${r.bestEpoch} |`))].join('\n')}

## Scores against the baseline

![scores](scores.png)

Bars per task, in column order: ${results.map(([n], i) => `${n} (${PALETTE_NAMES[i % PALETTE_NAMES.length]})`).join(', ')}.

## Autoencoder training loss (every ${every} steps) and validation loss per epoch

![training loss](training_loss.png)

${losses.filter((_, i) => i % every === 0).map((l, i) => `${i * every}: ${l.toFixed(3)}`).join(', ')}

validation: ${valLosses.map((v) => v.toFixed(4)).join(', ')}
`;
  const dir = join(path, '..');
  const write = (file: string, body: string | Buffer): void => {
    writeFileSync(`${file}.tmp`, body);
    renameSync(`${file}.tmp`, file);
  };
  write(join(dir, 'scores.png'), barChart(results[0]![1].map((_, t) => results.map(([, r]) => r[t]!.score))));
  write(join(dir, 'training_loss.png'), lineChart(losses.length ? losses : [0]));
  write(path, text);
}
