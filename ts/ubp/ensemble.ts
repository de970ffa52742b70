// The ensemble: members (each a submission-format directory, or computed here) normalised
// one by one — L2 per row for learned embeddings, a quantile transform to [0, 1] per column
// for counts, or left raw (the statistics) — then reduced by PCA where a member asks, every
// column but the raw members' optionally standardised, and concatenated (the concat kernel)
// into one float16 profile per relevant client. Every member has a row for every relevant
// client (readSubmission rejects missing, duplicated and unknown ids: imputing them hid
// members that matched no client).
import { applyPca, fitPca } from '../linalg/pca.js';
import * as ops from '../ops/index.js';
import { tensor, tidy } from '../tensor.js';
import { MAX_COLUMNS, readSubmission, writeSubmission } from './export.js';

/** L2 per row (learned embeddings), a quantile transform per column (counts), or the values as they are (the statistics: docs/results.md). */
export type Normalisation = 'l2' | 'quantile' | 'raw';

export interface Member {
  name: string;
  /** rows: relevant clients in order. */
  values: Float32Array;
  dim: number;
  normalise: Normalisation;
  /** Reduce to this many principal components after normalising (the published: wide autoencoders to 64). */
  pca?: number;
}

/** A submission-format directory as a member, aligned to the relevant clients. */
export function loadMember(name: string, dir: string, relevant: BigInt64Array, normalise: Normalisation, pca?: number): Member {
  return { name, ...readSubmission(dir, relevant), normalise, pca };
}

/** Each column mapped to its (tie-averaged) rank among the rows, scaled to [0, 1]. */
export function quantileTransform(values: Float32Array, n: number, dim: number): void {
  const col = new Float64Array(n);
  for (let j = 0; j < dim; j++) {
    for (let r = 0; r < n; r++) col[r] = values[r * dim + j]!;
    const order = Array.from(col.keys()).sort((a, b) => col[a]! - col[b]!);
    for (let i = 0; i < n;) {
      let k = i;
      while (k + 1 < n && col[order[k + 1]!] === col[order[i]!]) k++;
      const q = n > 1 ? (i + k) / 2 / (n - 1) : 0.5;
      for (let m = i; m <= k; m++) values[order[m]! * dim + j] = q;
      i = k + 1;
    }
  }
}

export function l2Normalise(values: Float32Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += values[i * dim + j]! ** 2;
    const k = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) values[i * dim + j]! *= k;
  }
}

/** Each column centred and scaled to unit variance (constant columns: zeros). */
export function standardise(values: Float32Array, n: number, dim: number): void {
  for (let j = 0; j < dim; j++) {
    let s = 0,
      s2 = 0;
    for (let i = 0; i < n; i++) s += values[i * dim + j]!;
    const mean = s / n;
    for (let i = 0; i < n; i++) s2 += (values[i * dim + j]! - mean) ** 2;
    const k = s2 > 0 ? 1 / Math.sqrt(s2 / n) : 0;
    for (let i = 0; i < n; i++) values[i * dim + j] = (values[i * dim + j]! - mean) * k;
  }
}

/**
 * Normalises each member, reduces it by PCA where it asks, optionally standardises every
 * column but the raw members', and concatenates them; writes the float16 submission.
 */
export function buildEnsemble(members: Member[], relevant: BigInt64Array, out: string, o: { standardise?: boolean } = {}): { dim: number } {
  const n = relevant.length;
  const width = (m: Member): number => (m.pca && m.pca < m.dim ? m.pca : m.dim);
  const dim = members.reduce((a, m) => a + width(m), 0);
  if (dim > MAX_COLUMNS)
    throw new Error(`ensemble: ${dim} columns in all (${members.map((m) => `${m.name} ${width(m)}`).join(', ')}); the challenge takes at most ${MAX_COLUMNS}`);
  members = members.map((m) => {
    if (m.normalise === 'quantile') quantileTransform(m.values, n, m.dim);
    else if (m.normalise === 'l2') l2Normalise(m.values, n, m.dim);
    const r = width(m) < m.dim ? { ...m, values: applyPca(fitPca(m.values, n, m.dim, width(m)), m.values, n), dim: width(m) } : m;
    if (o.standardise && m.normalise !== 'raw') standardise(r.values, n, r.dim);
    return r;
  });
  const x = tidy(() => ops.concat(members.map((m) => tensor(m.values, [n, m.dim]))).toArray() as Float32Array);
  writeSubmission(out, relevant, x, dim, relevant);
  return { dim };
}
