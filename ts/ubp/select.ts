// Which members the ensemble joins, chosen without seeing the scored window: each candidate is
// scored on a held-out share of the clients' training-window labels (evaluateEmbeddings'
// `holdout`), never on the validation window. One backward pass, then a guard:
//   1. the ensemble of every member, and the ensemble without each member;
//   2. the members whose removal did not raise the holdout score are kept;
//   3. each member alone, normalised as the ensemble would build it (not its raw submission,
//      which the report's and the ablation's "alone" rows score);
// the best of {all, kept, each member alone} on the holdout is the ensemble's member set, so
// on the holdout it is never worse than its best member. 2·N + 2 evaluations for N members.
import { join } from 'node:path';
import { evaluateEmbeddings, scoreSum } from './universal.js';
import { stopRequested } from '../train/interrupt.js';
import { ensembleOf, type ComputedMember } from './members.js';

export interface SelectOptions {
  members: ComputedMember[];
  relevant: BigInt64Array;
  /** The run's data and targets folders, and a scratch folder for the candidate ensembles. */
  data: string;
  targets: string;
  work: string;
  evalHidden: number;
  evalInner: number;
  evalEpochs: number;
  seed: number;
  /** Share of each task's clients held out (default 0.2). */
  holdout?: number;
  log?: (line: string) => void;
  shouldStop?: () => boolean;
}

export interface Selection {
  chosen: ComputedMember[];
  /** Every candidate's holdout sum of task scores, in the order scored. */
  scores: { name: string; sum: number }[];
}

/** The members to join, or null when stopped. */
export async function selectMembers(o: SelectOptions): Promise<Selection | null> {
  const scores: { name: string; sum: number }[] = [];
  const score = async (name: string, dir: string): Promise<number | null> => {
    if (await stopRequested(o.shouldStop)) return null;
    const r = await evaluateEmbeddings({
      data: o.data,
      targets: o.targets,
      embeddings: dir,
      hidden: o.evalHidden,
      inner: o.evalInner,
      epochs: o.evalEpochs,
      seed: o.seed,
      holdout: o.holdout ?? 0.2,
    });
    const sum = scoreSum(r);
    scores.push({ name, sum });
    o.log?.(`selection (training-window holdout): ${name} ${sum.toFixed(4)}`);
    return sum;
  };
  const ensemble = async (name: string, set: ComputedMember[], k: string): Promise<number | null> => {
    const dir = join(o.work, k);
    ensembleOf(set, o.relevant, dir);
    return score(name, dir);
  };
  const all = await ensemble('all members', o.members, 'all');
  if (all === null) return null;
  const kept: ComputedMember[] = [];
  for (const [i, m] of o.members.entries()) {
    if (o.members.length === 1) break;
    const without = await ensemble(
      `without ${m.name}`,
      o.members.filter((_, j) => j !== i),
      `without-${i + 1}`,
    );
    if (without === null) return null;
    if (without <= all) kept.push(m);
  }
  const candidates: { set: ComputedMember[]; sum: number }[] = [{ set: o.members, sum: all }];
  if (kept.length && kept.length < o.members.length) {
    const s = await ensemble(`kept: ${kept.map((m) => m.name).join(', ')}`, kept, 'kept');
    if (s === null) return null;
    candidates.push({ set: kept, sum: s });
  }
  for (const [i, m] of o.members.entries()) {
    const s = await ensemble(`${m.name} alone, normalised`, [m], `alone-${i + 1}`); // as the ensemble would build it
    if (s === null) return null;
    candidates.push({ set: [m], sum: s });
  }
  const best = candidates.reduce((a, c) => (c.sum > a.sum ? c : a));
  return { chosen: best.set, scores };
}
