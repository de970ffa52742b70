// Implicit-feedback matrix factorisation (ALS with conjugate-gradient solves, native/cpu/als.cc)
// as ensemble members, as in the published ensemble: user×category (a purchase weighs 3, a
// cart add 1) and user×url (page visits); the user factors are the member's embedding.
import { kernel, type SparseRows } from '../backend/registry.js';
import { Rng } from '../rng.js';
import { tensor, type Tensor } from '../tensor.js';
import { TOKEN, type EventCache } from '../data/ingest.js';

/** A sparse rows×cols matrix in compressed sparse row form. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: BigInt64Array;
  indices: Int32Array;
  values: Float32Array;
}

export function transpose(m: Csr): Csr {
  const counts = new Int32Array(m.cols);
  for (const j of m.indices) counts[j]!++;
  const indptr = new BigInt64Array(m.cols + 1);
  for (let j = 0; j < m.cols; j++) indptr[j + 1] = indptr[j]! + BigInt(counts[j]!);
  const fill = Array.from(indptr.subarray(0, m.cols), Number),
    indices = new Int32Array(m.indices.length),
    values = new Float32Array(m.indices.length);
  for (let i = 0; i < m.rows; i++)
    for (let n = Number(m.indptr[i]); n < Number(m.indptr[i + 1]); n++) {
      const j = m.indices[n]!,
        at = fill[j]!++;
      indices[at] = i;
      values[at] = m.values[n]!;
    }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

export interface AlsOptions {
  factors: number;
  iterations: number;
  lambda: number;
  /** Confidence c = 1 + alpha·value. */
  alpha: number;
  cgSteps: number;
  seed: number;
  /** Called after each iteration with the number done. */
  onIteration?: (done: number) => void;
}

/** X (m.rows×K) updated against Y (cols×K) on the backend the factors live on. */
function halfStep(m: SparseRows, Y: Tensor, X: Tensor, lambda: number, cgSteps: number): void {
  if (X.shape[0] !== m.rows || X.shape[1] !== Y.shape[1])
    throw new RangeError(`ALS half step: X ${X.describe()} must be ${m.rows}×${Y.shape[1]} against Y ${Y.describe()}`);
  kernel('alsHalfStep', X)(m, Y, X, lambda, cgSteps);
}

/** Row and column factors (rows×K, cols×K) of an implicit-feedback matrix. */
export function implicitAls(m: Csr, o: AlsOptions): { users: Float32Array; items: Float32Array } {
  const K = o.factors,
    rng = new Rng(o.seed);
  const scaled = { ...m, values: m.values.map((v) => v * o.alpha) };
  const t = transpose(scaled);
  const X = tensor(
    Float32Array.from({ length: m.rows * K }, () => 0.01 * rng.normal()),
    [m.rows, K],
  );
  const Y = tensor(
    Float32Array.from({ length: m.cols * K }, () => 0.01 * rng.normal()),
    [m.cols, K],
  );
  try {
    for (let it = 0; it < o.iterations; it++) {
      halfStep(scaled, Y, X, o.lambda, o.cgSteps);
      halfStep(t, X, Y, o.lambda, o.cgSteps);
      o.onIteration?.(it + 1);
    }
    return { users: X.toArray() as Float32Array, items: Y.toArray() as Float32Array };
  } finally {
    X.dispose();
    Y.dispose();
  }
}

/** Weights per event type (buy, add, remove, visit, search) of an interaction matrix. */
export const INTERACTION_WEIGHTS = {
  /** The published user×category member: a purchase weighs 3, a cart add 1. */
  category: [3, 1, 0, 0, 0],
  /** The published user×url member: page visits. */
  url: [0, 0, 0, 1, 0],
} as const;

/**
 * user (rows: cache client indices, -1 for none) × field id, summing the weight of each
 * event's type; ids below TOKEN.first (missing, out of vocabulary) are left out.
 */
export function interactionMatrix(cache: EventCache, rows: Int32Array, field: 'category' | 'url' | 'sku', weights: readonly number[]): Csr {
  const ev = cache.field('event'),
    item = cache.field(field);
  let cols = 0;
  for (const c of item) if (c + 1 > cols) cols = c + 1;
  const indptr = new BigInt64Array(rows.length + 1),
    indices: number[] = [],
    values: number[] = [];
  rows.forEach((c, r) => {
    const acc = new Map<number, number>();
    if (c >= 0)
      for (let i = cache.offsets[c]!; i < cache.offsets[c + 1]!; i++) {
        const w = weights[ev[i]! - TOKEN.first] ?? 0;
        if (w && item[i]! >= TOKEN.first) acc.set(item[i]!, (acc.get(item[i]!) ?? 0) + w);
      }
    for (const [j, v] of [...acc].sort((a, b) => a[0] - b[0])) {
      indices.push(j);
      values.push(v);
    }
    indptr[r + 1] = BigInt(indices.length);
  });
  return { rows: rows.length, cols, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}
