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
 * Columns an ALS member keeps in the ensemble (PCA). Measured on 400k generated clients
 * (97.5k relevant; universal network 256/512): with all 64 factors of both ALS members the
 * ensemble's sum of task scores was 4.5135, below the statistics (4.5237) and the
 * autoencoder (4.5193) alone; with each reduced to 16 columns, 4.5278; without ALS, 4.5339.
 * These factors score far below the other members on every task (sums 3.69 and 3.41), and
 * 128 of their columns drown the others.
 */
export const ALS_ENSEMBLE_COLUMNS = 16;

/** A computed member: its display name, its submission directory, how the ensemble normalises it and the columns it keeps there (PCA). */
export interface ComputedMember {
  name: string;
  dir: string;
  normalise: Normalisation;
  pca?: number;
}

/** Writes the statistics (quantile-transformed in the ensemble) and both ALS members (L2, reduced to ALS_ENSEMBLE_COLUMNS) under `out`. */
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
    members.push({ name: 'statistics', dir: join(out, 'statistics'), normalise: 'quantile' });
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
    members.push({ name: `ALS user×${field}`, dir, normalise: 'l2', pca: ALS_ENSEMBLE_COLUMNS });
  }
  return members;
}

/**
 * The ensemble of the members, in their order, each normalised as it says (statistics
 * quantile-transformed; ALS factors, autoencoder latents, next-item states and text vectors
 * L2-normalised, the first two reduced by PCA) → `out`. Every column is then standardised: the universal network trains with
 * Adam, whose steps have the same size whatever a feature's scale, so a member whose columns
 * are small (64 L2-normalised columns are ~0.125 each, quantiles span [0, 1]) would move the
 * network's first layer less per step. Measured with the same members: on 20k generated
 * clients standardising raised the ensemble's sum of task scores from 3.71 to 3.78; on 100k
 * (statistics and autoencoder only) it made no difference beyond noise (4.4903 vs 4.4929).
 */
export function ensembleOf(members: ComputedMember[], relevant: BigInt64Array, out: string): { dim: number } {
  const list: Member[] = members.map((m) => loadMember(m.name, m.dir, relevant, m.normalise, m.pca));
  return buildEnsemble(list, relevant, out, { standardise: true });
}

/** Autoencoder latents as members: L2-normalised, reduced by PCA to `pca` columns when wider. */
export const autoencoderMembers = (dirs: string[], pca: number): ComputedMember[] =>
  dirs.map((dir, k) => ({ name: `autoencoder ${k + 1}`, dir, normalise: 'l2', pca }));
