// The README's System 2 table in one command (`seqcore rec table`): on one dataset and split,
// SASRec and GRU4Rec, and SASRec with distillation of offline attribute profiles against the
// same seeds without it, each as mean ± std of the test metrics over the seeds.
import { join } from 'node:path';
import { attributeProfiles, type ItemAttributes } from '../profiles/offline.js';
import { loadProfiles, writeProfiles } from '../profiles/pipeline.js';
import type { DistillConfig } from './distill.js';
import type { RankingMetrics } from './ranking.js';
import type { RecSplit } from './split.js';
import { trainRecommender, type RecTrainOptions } from './train.js';

export interface TableRow { name: string; seeds: number[]; runs: RankingMetrics[]; bestEpochs: number[]; seqPerSec: number[] }

const KEYS = ['HR@10', 'NDCG@10', 'HR@20', 'NDCG@20'] as const;

function meanStd(xs: number[]): string {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
  return xs.length > 1 ? `${m.toFixed(4)} ± ${s.toFixed(4)}` : m.toFixed(4);
}

export function markdownTable(rows: TableRow[]): string {
  const head = `| model | seeds | ${KEYS.join(' | ')} | best epoch | train seq/s |`;
  const sep = `|${'---|'.repeat(KEYS.length + 4)}`;
  return [head, sep, ...rows.map((r) => `| ${r.name} | ${r.seeds.join(', ')} | ${KEYS.map((k) => meanStd(r.runs.map((m) => m[k]))).join(' | ')} | ${r.bestEpochs.map((e) => e + 1).join(', ')} | ${meanStd(r.seqPerSec).split(' ')[0]!.replace(/\.\d+$/, '')} |`)].join('\n');
}

export interface TableOptions {
  split: RecSplit;
  attributes: ItemAttributes;
  out: string;
  seeds: number[];
  /** Training options shared by every run (model kind and distillation are set per row). */
  base: Omit<RecTrainOptions, 'split' | 'seed' | 'distill'>;
  distill: DistillConfig;
  profileDim: number;
  log: (line: string) => void;
}

export async function recTable(o: TableOptions): Promise<TableRow[]> {
  const prefix = join(o.out, 'attribute-profiles');
  writeProfiles(prefix, o.split.users, attributeProfiles(o.split.train, o.attributes, o.profileDim), o.profileDim);
  const profiles = loadProfiles(prefix, o.split.users);
  const rows: TableRow[] = [];
  const run = async (name: string, seeds: number[], over: Partial<RecTrainOptions>): Promise<void> => {
    const row: TableRow = { name, seeds, runs: [], bestEpochs: [], seqPerSec: [] };
    for (const seed of seeds) {
      o.log(`${name}, seed ${seed}`);
      const r = await trainRecommender({ ...o.base, split: o.split, seed, ...over, model: { ...o.base.model, ...over.model } });
      if (r.interrupted || !r.test) throw new Error(`${name}: interrupted`);
      row.runs.push(r.test);
      row.bestEpochs.push(r.bestEpoch);
      row.seqPerSec.push(r.sequences / r.trainSeconds);
      o.log(`${name}, seed ${seed}: test HR@10 ${r.test['HR@10'].toFixed(4)} NDCG@10 ${r.test['NDCG@10'].toFixed(4)}`);
    }
    rows.push(row);
  };
  await run('SASRec', o.seeds, { model: { ...o.base.model, kind: 'sasrec' } });
  await run(`SASRec + attribute-profile distillation (${o.distill.loss}, ${o.distill.pooling} pooling, layer ${o.distill.layer}, α ${o.distill.alpha}, E_ft ${o.distill.ftEpoch}, β ${o.distill.beta})`, o.seeds,
    { model: { ...o.base.model, kind: 'sasrec' }, distill: { cfg: o.distill, profiles } });
  await run('GRU4Rec', o.seeds.slice(0, 1), { model: { ...o.base.model, kind: 'gru4rec', blocks: 1 } });
  return rows;
}
