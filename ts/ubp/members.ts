// System 1's ensemble members by name (what `ubp run --members` chooses), the ones seqcore
// computes directly from an event cache — the hand-made statistics and implicit-ALS factors of
// user×category and user×url — written as submission-format directories next to each other,
// and the ensemble of computed members with any autoencoder latents.
import { progressBar } from '../train/progress.js';
import { join } from 'node:path';
import type { EventCache } from '../data/ingest.js';
import { implicitAls, interactionMatrix, INTERACTION_WEIGHTS } from './als.js';
import { buildEnsemble, loadMember, type Member, type Normalisation } from './ensemble.js';
import { writeSubmission } from './export.js';
import { clientStatistics, STATISTICS } from './statistics.js';

/** Every member `ubp run` can build: autoencoders by preset, statistics, ALS, next-item transformers, the text member. */
export const MEMBER_NAMES = ['ae-small', 'ae-wide', 'ae-dayEvent', 'statistics', 'als-category', 'als-url', 'next-sku', 'next-url', 'text'] as const;
export type MemberName = (typeof MEMBER_NAMES)[number];
/**
 * `ubp run`'s members by default: every one that needs no server, but the wide autoencoder
 * (E = H = 512, 3 layers), whose epochs take hours on a CPU (README): ask for it by name.
 */
export const DEFAULT_MEMBERS: readonly MemberName[] = ['ae-small', 'ae-dayEvent', 'statistics', 'als-category', 'als-url', 'next-sku', 'next-url', 'text'];

/** A comma-separated list of member names, each known and once; `label` names the flag in errors. */
export function parseMembers(label: string, list: string): MemberName[] {
  const names = list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of names)
    if (!(MEMBER_NAMES as readonly string[]).includes(n)) throw new Error(`${label}: unknown member '${n}' (known: ${MEMBER_NAMES.join(', ')})`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`${label}: member '${twice}' is listed twice`);
  if (!names.length) throw new Error(`${label}: no member`);
  return names as MemberName[];
}

export const ALS_FACTORS = 64;
/**
 * Columns every learned member (autoencoders by default, next-item states, text vectors,
 * ALS factors) keeps in the ensemble: PCA after L2 normalisation. The universal network
 * trains 3 epochs; wide members with weak signal drown the strong ones in that time. Measured
 * (docs/results.md): on 50,000 generated clients with every default member, the sum of task
 * scores over 3 seeds was 4.0186 with the members at full width (582 columns, the statistics
 * quantile-transformed) and 4.2412 with each learned member at 16 columns and the statistics
 * raw; earlier, on 400k clients, ALS at 16 columns rather than 64 raised the ensemble from
 * 4.5135 to 4.5278.
 */
export const MEMBER_COLUMNS = 16;

/** A computed member: its display name, its submission directory, how the ensemble normalises it and the columns it keeps there (PCA). */
export interface ComputedMember {
  name: string;
  dir: string;
  normalise: Normalisation;
  pca?: number;
}

/** Writes the statistics (raw in the ensemble) and both ALS members (L2, reduced to MEMBER_COLUMNS) under `out`. */
export function computeMembers(
  cache: EventCache,
  relevant: BigInt64Array,
  out: string,
  seed: number,
  log: (line: string) => void = () => {},
  names: readonly MemberName[] = ['statistics', 'als-category', 'als-url'],
): ComputedMember[] {
  const rows = cache.rowsOf(relevant);
  const members: ComputedMember[] = [];
  let t0 = performance.now();
  const took = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const fields = (['category', 'url'] as const).filter((f) => names.includes(`als-${f}`));
  const count = (names.includes('statistics') ? 1 : 0) + fields.length;
  if (names.includes('statistics')) {
    // Raw: alone they scored 4.2598 over 3 seeds at 50k clients, quantile-transformed and
    // standardised 4.1298 (seed 1), standardised only 4.1347 (docs/results.md).
    members.push({ name: 'statistics', dir: join(out, 'statistics'), normalise: 'raw' });
    log(`members 1/${count}: statistics of ${relevant.length} clients`);
    const bar = progressBar('statistics: clients', rows.length);
    writeSubmission(
      members[0]!.dir,
      relevant,
      clientStatistics(cache, rows, (done) => bar?.update(done, '')),
      STATISTICS.length,
      relevant,
    );
    bar?.end();
    log(`members 1/${count}: statistics, ${STATISTICS.length} columns (${took()})`);
  }
  for (const field of fields) {
    t0 = performance.now();
    const k = members.length + 1;
    const dir = join(out, `als-${field}`);
    const m = interactionMatrix(cache, rows, field, INTERACTION_WEIGHTS[field]);
    log(`members ${k}/${count}: implicit ALS user×${field}, ${m.rows} × ${m.cols} with ${m.values.length} interactions, ${ALS_FACTORS} factors, 10 iterations`);
    const bar = progressBar(`ALS user×${field}: iterations`, 10);
    const { users } = implicitAls(m, {
      factors: ALS_FACTORS,
      iterations: 10,
      lambda: 0.1,
      alpha: 10,
      cgSteps: 3,
      seed,
      onIteration: (i) => bar?.update(i, ''),
    });
    bar?.end();
    writeSubmission(dir, relevant, users, ALS_FACTORS, relevant);
    log(`members ${k}/${count}: ALS user×${field} done (${took()})`);
    members.push({ name: `ALS user×${field}`, dir, normalise: 'l2', pca: MEMBER_COLUMNS });
  }
  return members;
}

/**
 * The ensemble of the members, in their order, each normalised as it says (the statistics
 * raw; ALS factors, autoencoder latents, next-item states and text vectors L2-normalised,
 * then reduced by PCA to MEMBER_COLUMNS) → `out`. The learned members' columns are then
 * standardised: the universal network trains with Adam, whose steps have the same size
 * whatever a feature's scale, so a member whose columns are small (16 L2-normalised columns
 * are ~0.25 each) would move the network's first layer less per step. The statistics are
 * not: at their raw scale, recency in days and prices dominate the first layer, which at 50k
 * clients scored best (MEMBER_COLUMNS, docs/results.md).
 */
export function ensembleOf(members: ComputedMember[], relevant: BigInt64Array, out: string): { dim: number } {
  const list: Member[] = members.map((m) => loadMember(m.name, m.dir, relevant, m.normalise, m.pca));
  return buildEnsemble(list, relevant, out, { standardise: true });
}

/** Autoencoder latents as members: L2-normalised, reduced by PCA to `pca` columns when wider. */
export const autoencoderMembers = (dirs: string[], pca: number): ComputedMember[] =>
  dirs.map((dir, k) => ({ name: `autoencoder ${k + 1}`, dir, normalise: 'l2', pca }));
