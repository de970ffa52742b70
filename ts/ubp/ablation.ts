// The paper's ablation of a `ubp run`: the full ensemble, the ensemble without each member,
// and each member alone, every one scored on the challenge's tasks over several seeds of the
// universal network; mean ± std per task and of the sum, and each row's sum minus the
// ensemble's with the same seed (the seed's share of the noise, its initialisation and batch
// order, cancels in part: mean ± std of the differences). Reads the members the run built
// (RUN/ensemble/members.json) and writes RUN/ablation/ablation.md and ablation.json.
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { readJson, isObject } from '../io/files.js';
import { readRelevantClients } from '../data/inputs.js';
import { evaluateEmbeddings, scoreSum, type TaskResult } from './universal.js';
import { meanStd } from '../rec/ranking.js';
import { stopRequested } from '../train/interrupt.js';
import { ensembleOf, type ComputedMember } from './members.js';

/** What the run built, in its order (paths relative to the run folder), for the ablation to rebuild. */
export const membersFile = (run: string): string => join(run, 'ensemble', 'members.json');

export function readMembers(run: string): ComputedMember[] {
  const file = membersFile(run);
  const list = readJson(file);
  if (!Array.isArray(list) || !list.every((m) => isObject(m) && typeof m.name === 'string' && typeof m.dir === 'string'))
    throw new Error(`${file}: expected a list of members {name, dir, normalise, pca}`);
  return (list as ComputedMember[]).map((m) => ({ ...m, dir: join(run, m.dir) }));
}

export interface AblationRow {
  /** "ensemble", "without X" or "X alone". */
  name: string;
  /** Per task (the challenge's order), and the sum last: mean and std over the seeds. */
  scores: { task: string; mean: number; std: number }[];
  /** Every row but the ensemble's: its sum minus the ensemble's with the same seed, mean and std over the seeds. */
  delta?: { mean: number; std: number };
}

export interface AblationOptions {
  /** A finished `ubp run` folder. */
  run: string;
  seeds: number[];
  evalHidden: number;
  evalInner: number;
  evalEpochs: number;
  log?: (line: string) => void;
  shouldStop?: () => boolean;
}

/** `ensemble`: the ensemble's sums by seed, in the same order as `runs` (absent for the ensemble's own row). */
function summarise(name: string, runs: TaskResult[][], ensemble?: number[]): AblationRow {
  const tasks = runs[0]!.map((t) => t.task);
  const per = (i: number): number[] => runs.map((r) => r[i]!.score);
  return {
    name,
    scores: [...tasks.map((task, i) => ({ task, ...meanStd(per(i)) })), { task: 'sum', ...meanStd(runs.map(scoreSum)) }],
    ...(ensemble ? { delta: meanStd(runs.map((r, k) => scoreSum(r) - ensemble[k]!)) } : {}),
  };
}

export function ablationTable(rows: AblationRow[]): string {
  const heads = rows[0]!.scores.map((s) => s.task);
  const pm = (s: { mean: number; std: number }, sign = ''): string => `${s.mean >= 0 ? sign : ''}${s.mean.toFixed(4)} ± ${s.std.toFixed(4)}`;
  return [
    `| embedding | ${heads.join(' | ')} | sum − ensemble's, same seed |`,
    `|---|${heads.map(() => '---|').join('')}---|`,
    ...rows.map((r) => `| ${r.name} | ${r.scores.map((s) => pm(s)).join(' | ')} | ${r.delta ? pm(r.delta, '+') : ''} |`),
  ].join('\n');
}

/** The ablation rows, or null when stopped (nothing written; a rerun starts over). */
export async function ablation(o: AblationOptions): Promise<AblationRow[] | null> {
  const members = readMembers(o.run);
  const data = join(o.run, 'data'),
    targets = join(o.run, 'targets'),
    out = join(o.run, 'ablation');
  const relevant = readRelevantClients(data);
  // The embeddings scored: the ensemble and one without each member, both rebuilt by today's
  // rules (a run made by an older seqcore may have normalised its members otherwise), and
  // each member's own submission.
  ensembleOf(members, relevant, join(out, 'ensemble'));
  const variants: [string, string][] = [['ensemble', join(out, 'ensemble')]];
  if (members.length > 1)
    members.forEach((m, i) => {
      const dir = join(out, `without-${i + 1}`);
      ensembleOf(
        members.filter((_, j) => j !== i),
        relevant,
        dir,
      );
      variants.push([`without ${m.name}`, dir]);
    });
  for (const m of members) variants.push([`${m.name} alone`, m.dir]);
  const rows: AblationRow[] = [];
  let ensembleSums: number[] | undefined; // the first variant's
  for (const [name, dir] of variants) {
    const runs: TaskResult[][] = [];
    for (const seed of o.seeds) {
      if (await stopRequested(o.shouldStop)) return null;
      o.log?.(`ablation: ${name}, seed ${seed}`);
      runs.push(await evaluateEmbeddings({ data, targets, embeddings: dir, hidden: o.evalHidden, inner: o.evalInner, epochs: o.evalEpochs, seed }));
    }
    rows.push(summarise(name, runs, ensembleSums));
    ensembleSums ??= runs.map(scoreSum);
  }
  const about =
    `Ablation of ${o.run}: the ensemble, the ensemble without each member, each member alone; ` +
    `mean ± std over ${o.seeds.length} seed(s) of the universal network (${o.seeds.join(', ')}), ` +
    `${o.evalHidden}/${o.evalInner}, ${o.evalEpochs} epoch(s) per task.`;
  writeFileAtomic(join(out, 'ablation.md'), `# Ablation\n\n${about}\n\n${ablationTable(rows)}\n`);
  writeFileAtomic(join(out, 'ablation.json'), `${JSON.stringify({ about, rows }, null, 1)}\n`);
  return rows;
}
