// The ensemble: members (each a submission-format directory, or computed here) normalised
// one by one (wide ones first reduced by PCA) — L2 per row for learned embeddings, a
// quantile transform to [0, 1] per column for counts and statistics — missing clients
// imputed with the member's mean, optionally every column standardised, then concatenated
// (the concat kernel) into one float16 profile per relevant client.
import { applyPca, fitPca } from '../linalg/pca.js';
import * as ops from '../ops/index.js';
import { tensor, tidy } from '../tensor.js';
import { MAX_COLUMNS, readSubmission, writeSubmission } from './export.js';

export type Normalisation = 'l2' | 'quantile';

export interface Member {
  name: string;
  /** rows: relevant clients in order; null rows are missing (imputed). */
  values: Float32Array;
  dim: number;
  present: Uint8Array;
  normalise: Normalisation;
  /** Reduce to this many principal components first (the published: wide autoencoders to 64). */
  pca?: number;
}

/** A submission-format directory as a member, aligned to the relevant clients. */
export function loadMember(name: string, dir: string, relevant: BigInt64Array, normalise: Normalisation, pca?: number): Member {
  return { name, ...readSubmission(dir, relevant), normalise, pca };
}

/** Each column mapped to its (tie-averaged) rank among present rows, scaled to [0, 1]. */
export function quantileTransform(values: Float32Array, n: number, dim: number, present: Uint8Array): void {
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => present[i]);
  const col = new Float64Array(rows.length);
  for (let j = 0; j < dim; j++) {
    rows.forEach((r, k) => { col[k] = values[r * dim + j]!; });
    const order = Array.from(rows.keys()).sort((a, b) => col[a]! - col[b]!);
    for (let i = 0; i < order.length; ) {
      let k = i;
      while (k + 1 < order.length && col[order[k + 1]!] === col[order[i]!]) k++;
      const q = order.length > 1 ? (i + k) / 2 / (order.length - 1) : 0.5;
      for (let m = i; m <= k; m++) values[rows[order[m]!]! * dim + j] = q;
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

/** Missing rows ← the mean of the present rows. */
export function imputeMean(values: Float32Array, n: number, dim: number, present: Uint8Array): void {
  const mean = new Float64Array(dim);
  let count = 0;
  for (let i = 0; i < n; i++) if (present[i]) { count++; for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j]!; }
  for (let j = 0; j < dim; j++) mean[j]! /= Math.max(count, 1);
  for (let i = 0; i < n; i++) if (!present[i]) for (let j = 0; j < dim; j++) values[i * dim + j] = mean[j]!;
}

/** Each column centred and scaled to unit variance (constant columns: zeros). */
export function standardise(values: Float32Array, n: number, dim: number): void {
  for (let j = 0; j < dim; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) s += values[i * dim + j]!;
    const mean = s / n;
    for (let i = 0; i < n; i++) s2 += (values[i * dim + j]! - mean) ** 2;
    const k = s2 > 0 ? 1 / Math.sqrt(s2 / n) : 0;
    for (let i = 0; i < n; i++) values[i * dim + j] = (values[i * dim + j]! - mean) * k;
  }
}

/** Normalises, imputes and concatenates the members; writes the float16 submission. */
export function buildEnsemble(members: Member[], relevant: BigInt64Array, out: string, o: { standardise?: boolean } = {}): { dim: number } {
  const n = relevant.length;
  members = members.map((m) => {
    if (!m.pca || m.pca >= m.dim) return m;
    return { ...m, values: applyPca(fitPca(m.values, n, m.dim, m.pca, m.present), m.values, n), dim: m.pca };
  });
  const dim = members.reduce((a, m) => a + m.dim, 0);
  if (dim > MAX_COLUMNS) throw new Error(`ensemble: ${dim} columns in all (${members.map((m) => `${m.name} ${m.dim}`).join(', ')}); the challenge takes at most ${MAX_COLUMNS}`);
  for (const m of members) {
    if (m.normalise === 'quantile') quantileTransform(m.values, n, m.dim, m.present);
    else l2Normalise(m.values, n, m.dim);
    imputeMean(m.values, n, m.dim, m.present);
    if (o.standardise) standardise(m.values, n, m.dim);
  }
  const x = tidy(() => ops.concat(members.map((m) => tensor(m.values, [n, m.dim]))).toArray() as Float32Array);
  writeSubmission(out, relevant, x, dim, relevant);
  return { dim };
}
