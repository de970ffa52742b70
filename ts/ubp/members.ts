// The members seqcore computes itself from an event cache — the hand-made statistics and
// implicit-ALS factors of user×category and user×url — written as submission-format
// directories next to each other, and the ensemble of those with any autoencoder latents.
import { progressBar } from '../train/progress.js';
import { join } from 'node:path';
import type { EventCache } from '../data/ingest.js';
import { implicitAls, interactionMatrix, INTERACTION_WEIGHTS } from './als.js';
import { buildEnsemble, loadMember, type Member, type Normalisation } from './ensemble.js';
import { writeSubmission } from './export.js';
import { clientStatistics, STATISTICS } from './statistics.js';

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
): ComputedMember[] {
  const rows = cache.rowsOf(relevant);
  const members: ComputedMember[] = [{ name: 'statistics', dir: join(out, 'statistics'), normalise: 'quantile' }];
  let t0 = performance.now();
  const took = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  log(`members 1/3: statistics of ${relevant.length} clients`);
  const bar = progressBar('statistics: clients', rows.length);
  writeSubmission(
    members[0]!.dir,
    relevant,
    clientStatistics(cache, rows, (done) => bar?.update(done, '')),
    STATISTICS.length,
    relevant,
  );
  bar?.end();
  log(`members 1/3: statistics, ${STATISTICS.length} columns (${took()})`);
  for (const [k, field] of (['category', 'url'] as const).entries()) {
    t0 = performance.now();
    const dir = join(out, `als-${field}`);
    const m = interactionMatrix(cache, rows, field, INTERACTION_WEIGHTS[field]);
    log(`members ${k + 2}/3: implicit ALS user×${field}, ${m.rows} × ${m.cols} with ${m.values.length} interactions, ${ALS_FACTORS} factors, 10 iterations`);
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
    log(`members ${k + 2}/3: ALS user×${field} done (${took()})`);
    members.push({ name: `ALS user×${field}`, dir, normalise: 'l2', pca: ALS_ENSEMBLE_COLUMNS });
  }
  return members;
}

/**
 * The ensemble of the computed members (statistics quantile-transformed, ALS factors
 * reduced by PCA and L2-normalised) and the autoencoder latents (L2-normalised, reduced by PCA to `pca` columns
 * when wider) → `out`. Every column is then standardised: the universal network trains with
 * Adam, whose steps have the same size whatever a feature's scale, so a member whose columns
 * are small (64 L2-normalised columns are ~0.125 each, quantiles span [0, 1]) would move the
 * network's first layer less per step. Measured with the same members: on 20k generated
 * clients standardising raised the ensemble's sum of task scores from 3.71 to 3.78; on 100k
 * (statistics and autoencoder only) it made no difference beyond noise (4.4903 vs 4.4929).
 */
export function ensembleOf(members: ComputedMember[], autoencoders: string[], relevant: BigInt64Array, pca: number, out: string): { dim: number } {
  const list: Member[] = members.map((m) => loadMember(m.name, m.dir, relevant, m.normalise, m.pca));
  autoencoders.forEach((dir, k) => list.push(loadMember(`autoencoder ${k + 1}`, dir, relevant, 'l2', pca)));
  return buildEnsemble(list, relevant, out, { standardise: true });
}
