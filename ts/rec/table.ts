// The README's System 2 table in one command (`seqcore rec table`): on one dataset and split,
// SASRec and GRU4Rec, and SASRec with distillation of offline attribute profiles against the
// same seeds without it, each as mean ± std of the test metrics over the seeds.
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { readJson } from '../io/files.js';
import { join } from 'node:path';
import { attributeProfiles, type ItemAttributes } from '../profiles/offline.js';
import { loadProfiles, writeProfiles } from '../profiles/pipeline.js';
import type { DistillConfig } from './distill.js';
import { meanStd, type RankingMetrics } from './ranking.js';
import type { RecSplit } from './split.js';
import { trainRecommender, type RecTrainOptions } from './train.js';

export interface TableRow {
  name: string;
  seeds: number[];
  runs: RankingMetrics[];
  bestEpochs: number[];
}

const KEYS = ['HR@10', 'NDCG@10', 'HR@20', 'NDCG@20'] as const;

function cell(xs: number[]): string {
  const { mean, std } = meanStd(xs);
  return xs.length > 1 ? `${mean.toFixed(4)} ± ${std.toFixed(4)}` : mean.toFixed(4);
}

export function markdownTable(rows: TableRow[]): string {
  // Throughput is left to `npm run bench -- rec`: these runs share the machine with whatever else runs.
  const head = `| model | seeds | ${KEYS.join(' | ')} | best epoch |`;
  const sep = `|${'---|'.repeat(KEYS.length + 3)}`;
  return [
    head,
    sep,
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.seeds.join(', ')} | ${KEYS.map((k) => cell(r.runs.map((m) => m[k]))).join(' | ')} | ${r.bestEpochs.map((e) => e + 1).join(', ')} |`,
    ),
  ].join('\n');
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

/** The table's rows, or null when interrupted (each run checkpointed; rerun to resume). */
export async function recTable(o: TableOptions): Promise<TableRow[] | null> {
  const prefix = join(o.out, 'attribute-profiles');
  writeProfiles(prefix, o.split.users, attributeProfiles(o.split.train, o.attributes, o.profileDim), o.profileDim);
  const profiles = loadProfiles(prefix, o.split.users);
  const rows: TableRow[] = [];
  // Finished runs are recorded in runs.json and each run checkpoints every epoch, so an
  // interrupted table resumes inside the run it was in and skips the finished ones.
  const done = join(o.out, 'runs.json');
  const finished = new Map<string, { test: RankingMetrics; bestEpoch: number }>(existsSync(done) ? Object.entries(readJson(done) as object) : []);
  const run = async (id: string, name: string, seeds: number[], over: Partial<RecTrainOptions>): Promise<boolean> => {
    const row: TableRow = { name, seeds, runs: [], bestEpochs: [] };
    for (const seed of seeds) {
      const key = `${id}-seed${seed}`;
      let f = finished.get(key);
      if (f) o.log(`${name}, seed ${seed}: finished earlier (${done})`);
      else {
        o.log(`${name}, seed ${seed}`);
        const r = await trainRecommender({
          ...o.base,
          split: o.split,
          seed,
          ...over,
          model: { ...o.base.model, ...over.model },
          checkpoint: join(o.out, key, 'train.ckpt'),
          resume: true,
        });
        if (r.interrupted || !r.test) {
          o.log(`interrupted in ${name}, seed ${seed}: rerun the same command to resume`);
          return false;
        }
        f = { test: r.test, bestEpoch: r.bestEpoch };
        finished.set(key, f);
        writeFileAtomic(done, JSON.stringify(Object.fromEntries(finished), null, 1));
      }
      row.runs.push(f.test);
      row.bestEpochs.push(f.bestEpoch);
      o.log(`${name}, seed ${seed}: test HR@10 ${f.test['HR@10'].toFixed(4)} NDCG@10 ${f.test['NDCG@10'].toFixed(4)}`);
    }
    rows.push(row);
    return true;
  };
  const finishedAll =
    (await run('sasrec', 'SASRec', o.seeds, { model: { ...o.base.model, kind: 'sasrec' } })) &&
    (await run(
      'sasrec-distil',
      `SASRec + attribute-profile distillation (${o.distill.loss}, ${o.distill.pooling} pooling, layer ${o.distill.layer}, ` +
        `α ${o.distill.alpha}, E_ft ${o.distill.ftEpoch}, β ${o.distill.beta})`,
      o.seeds,
      { model: { ...o.base.model, kind: 'sasrec' }, distill: { cfg: o.distill, profiles } },
    )) &&
    (await run('gru4rec', 'GRU4Rec', o.seeds.slice(0, 1), { model: { ...o.base.model, kind: 'gru4rec', blocks: 1 } }));
  return finishedAll ? rows : null;
}
