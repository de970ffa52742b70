// The whole of System 1 on generated data: generate → targets → ingest up to the input cut →
// the organisers' aggregated-features baseline → the members asked for (GRU autoencoders by
// preset, next-item transformers, the text member, statistics, ALS) → their ensemble → float16
// submissions → evaluate each with the challenge's protocol; a Markdown report next to the
// ensemble.
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { membersFile } from './ablation.js';
import { generate } from '../data/generate.js';
import { ingest } from '../data/ingest.js';
import { readRelevantClients } from '../data/inputs.js';
import { buildTargets } from '../data/targets.js';
import { evaluateEmbeddings, type TaskResult } from './universal.js';
import { UBP_CONFIGS } from './model.js';
import { embedUbp, trainUbp } from './train.js';
import { stopRequested } from '../train/interrupt.js';
import { EventCache } from '../data/ingest.js';
import { aggregatedBaseline } from './aggregated_baseline.js';
import { computeMembers, DEFAULT_MEMBERS, ensembleOf, MEMBER_COLUMNS, type ComputedMember, type MemberName } from './members.js';
import { nextItemMember } from './next_item.js';
import { selectMembers } from './select.js';
import { textMember, type TextMemberOptions } from './text_member.js';
import { writeReport } from './report.js';

export interface PipelineOptions {
  out: string;
  clients: number;
  /** Epochs of every trained member (autoencoders, next-item transformers). */
  epochs: number;
  /** Universal network sizes (the challenge: 2048 and 4096). */
  evalHidden: number;
  evalInner: number;
  evalEpochs: number;
  /** The members to build and join (default DEFAULT_MEMBERS). */
  members?: readonly MemberName[];
  /** Autoencoder latents wider than this are reduced to it by PCA in the ensemble (the paper's 64). */
  pca: number;
  seed: number;
  /** Choose the members the ensemble joins on a training-window holdout (ts/ubp/select.ts); default: all of them. */
  select?: boolean;
  /** The text member's embeddings endpoint (its answers' cache, requests in flight); without one it takes the offline path. */
  text?: Pick<TextMemberOptions, 'endpoint' | 'cachePath' | 'concurrency'>;
  log: (line: string) => void;
  shouldStop?: () => boolean;
}

export interface PipelineResult {
  /** Scores per embedding: the organisers' baseline, each member, the ensemble. */
  results: [string, TaskResult[]][];
  /** The first autoencoder's training losses (the report's curve); empty without one. */
  trainLosses: number[];
  /** Stopped by shouldStop: training checkpointed, no report; rerunning resumes. */
  interrupted: boolean;
}

const PRESETS = { 'ae-small': 'small', 'ae-wide': 'wide', 'ae-dayEvent': 'dayEvent' } as const;

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const names = o.members ?? DEFAULT_MEMBERS;
  const data = join(o.out, 'data');
  if (!existsSync(join(data, 'relevant_clients.npy'))) {
    o.log(`generating ${o.clients} clients into ${data}`);
    await generate({ clients: o.clients, out: data, seed: o.seed, log: o.log });
  }
  const targets = join(o.out, 'targets');
  const t = await buildTargets({ dir: data, out: targets });
  o.log(`targets: input before ${t.inputCut}; ${t.active} active of ${t.relevant} relevant clients`);
  const cachePath = join(o.out, 'events.seq');
  await ingest({ dir: data, out: cachePath, before: t.inputCut, log: o.log });
  const baselineDir = join(o.out, 'baseline');
  await aggregatedBaseline({ data, before: t.inputCut, out: baselineDir });
  const cache = new EventCache(cachePath),
    relevant = readRelevantClients(data);
  const stopped = (): PipelineResult => ({ results: [], trainLosses: [], interrupted: true });
  const built: ComputedMember[] = [];
  const notes: string[] = [];
  let losses: { train: number[]; valid: number[]; preset: string } | null = null;
  // Members in the order asked; each trained one checkpoints, so a rerun resumes where it stopped.
  for (const name of names) {
    if (name in PRESETS) {
      const preset = PRESETS[name as keyof typeof PRESETS];
      const model = join(o.out, `${name}-model`);
      const train = await trainUbp({
        cache: cachePath,
        out: model,
        model: UBP_CONFIGS[preset],
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
      if (train.interrupted) return stopped();
      losses ??= { train: train.losses, valid: train.valLosses, preset };
      await embedUbp({ cache: cachePath, model: join(model, 'model.ckpt'), out: join(o.out, name), batchSize: 512, maxEvents: 126 });
      built.push({ name: `autoencoder (${preset})`, dir: join(o.out, name), normalise: 'l2', pca: o.pca });
    } else if (name === 'next-sku' || name === 'next-url') {
      const field = name === 'next-sku' ? 'sku' : 'url';
      const work = join(o.out, `${name}-model`);
      mkdirSync(work, { recursive: true });
      o.log(`members: next-${field} transformer`);
      const r = await nextItemMember({
        cache,
        relevant,
        field,
        out: join(o.out, name),
        epochs: o.epochs,
        seed: o.seed,
        checkpoint: join(work, 'train.ckpt'),
        log: o.log,
        shouldStop: o.shouldStop,
      });
      if (r.interrupted) return stopped();
      built.push({ name: `next ${field}`, dir: join(o.out, name), normalise: 'l2', pca: MEMBER_COLUMNS });
    } else if (name === 'text') {
      const r = await textMember({ cache, relevant, out: join(o.out, 'text'), seed: o.seed, ...o.text, log: o.log });
      notes.push(
        r.offline
          ? 'The text member took the offline path: TF-IDF of the rendered histories and a truncated SVD, ' +
              'not a language model (no embeddings endpoint was given).'
          : `The text member embedded the rendered histories with ${o.text!.endpoint!.model} at ${o.text!.endpoint!.baseUrl}, reduced by PCA to ${r.dim}.`,
      );
      built.push({ name: r.offline ? 'text (offline TF-IDF + SVD)' : 'text', dir: join(o.out, 'text'), normalise: 'l2', pca: MEMBER_COLUMNS });
    }
  }
  // Statistics and ALS (user×category, user×url factors), computed directly from the cache.
  built.push(...computeMembers(cache, relevant, o.out, o.seed, o.log, names));
  let joined = built;
  if (o.select) {
    const s = await selectMembers({
      members: built,
      relevant,
      data,
      targets,
      work: join(o.out, 'selection'),
      evalHidden: o.evalHidden,
      evalInner: o.evalInner,
      evalEpochs: o.evalEpochs,
      seed: o.seed,
      log: o.log,
      shouldStop: o.shouldStop,
    });
    if (!s) return stopped();
    joined = s.chosen;
    notes.push(
      "Members chosen on a holdout of 20 % of the clients' training-window labels (the validation window unseen): " +
        `${joined.map((m) => m.name).join(', ')}. Holdout sums: ${s.scores.map((c) => `${c.name} ${c.sum.toFixed(4)}`).join('; ')}.`,
    );
  }
  const ensembleDir = join(o.out, 'ensemble');
  ensembleOf(joined, relevant, ensembleDir);
  // what the ensemble joined, for `ubp ablation` to rebuild it without each member
  writeFileAtomic(
    membersFile(o.out),
    `${JSON.stringify(
      joined.map((m) => ({ ...m, dir: relative(o.out, m.dir) })),
      null,
      1,
    )}\n`,
  );
  const ev = { targets, data, hidden: o.evalHidden, inner: o.evalInner, epochs: o.evalEpochs, seed: o.seed, log: o.log };
  const results: [string, TaskResult[]][] = [];
  // After training nothing is checkpointed: a rerun redoes these steps.
  for (const [name, dir] of [["organisers' baseline", baselineDir], ...built.map((m) => [m.name, m.dir]), ['ensemble', ensembleDir]] as const) {
    if (await stopRequested(o.shouldStop)) return stopped();
    results.push([name, await evaluateEmbeddings({ ...ev, embeddings: dir })]);
  }
  const train = losses?.train ?? [];
  const every = Math.max(1, Math.floor(train.length / 20));
  await writeReport({
    dir: ensembleDir,
    about: `${o.clients} generated clients; members ${names.join(', ')}, trained ${o.epochs} epoch(s);
universal network ${o.evalHidden}/${o.evalInner}, ${o.evalEpochs} epochs per task (best epoch counts).${notes.length ? `\n\n${notes.join('\n')}` : ''}`,
    results,
    loss: {
      title: losses ? `Autoencoder (${losses.preset}) training loss per step` : 'No autoencoder in this run',
      xTitle: 'training step',
      series: [{ name: 'training loss', values: train }],
      text: `${train
        .filter((_, i) => i % every === 0)
        .map((l, i) => `${i * every}: ${l.toFixed(3)}`)
        .join(', ')}\n\nvalidation: ${(losses?.valid ?? []).map((v) => v.toFixed(4)).join(', ')}`,
    },
  });
  return { results, trainLosses: train, interrupted: false };
}
