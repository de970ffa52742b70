// The offline profile embedder, for machines with no model server: NOT an LLM profile. Each
// user's training history becomes a bag of item-attribute tokens (Beauty_item2attributes.json:
// item → attribute ids), weighted by TF-IDF (tf = count / the user's token count, smooth
// idf = ln((1 + n)/(1 + df)) + 1, rows L2-normalised, as scikit-learn's TfidfVectorizer), and
// reduced to `dim` columns by a randomised truncated SVD (Halko, Martinsson & Tropp 2011:
// range finder with `oversample` extra columns and `powerIters` power iterations, then the
// exact SVD of the small projected matrix). Output rows are U·Σ (scikit-learn's
// TruncatedSVD.transform); signs fixed so each column's largest-magnitude entry is positive.
import { isObject, readText } from '../io/files.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { Rng } from '../rng.js';

export type ItemAttributes = Map<number, number[]>;

export function parseItemAttributes(text: string, file = '<text>'): ItemAttributes {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`, { cause: e });
  }
  if (!isObject(raw)) throw new Error(`${file}: expected an object of item id → [attribute ids]`);
  const out: ItemAttributes = new Map();
  for (const [k, v] of Object.entries(raw)) {
    const item = Number(k);
    if (!Number.isInteger(item) || item < 1) throw new Error(`${file}: key '${k}' is not a positive integer item id`);
    if (!Array.isArray(v) || v.some((a) => !Number.isInteger(a) || (a as number) < 0))
      throw new Error(`${file}: item ${k}: attributes must be an array of non-negative integer ids`);
    out.set(item, v as number[]);
  }
  return out;
}

export function readItemAttributes(path: string): ItemAttributes {
  return parseItemAttributes(readText(path), path);
}

/** A sparse users×terms matrix in CSR form. */
interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** TF-IDF rows of each history's attribute tokens (items without attributes add nothing). */
export function tfidf(histories: readonly ArrayLike<number>[], attrs: ItemAttributes): Csr {
  return tokenTfidf(histories.map((h) => Array.from(h).flatMap((item) => attrs.get(item) ?? [])));
}

/**
 * TF-IDF rows of documents of integer tokens: term frequency in the document times the smoothed
 * idf log((1 + n) / (1 + df)) + 1, each row L2-normalised; columns numbered by first appearance.
 */
export function tokenTfidf(docs: readonly ArrayLike<number>[]): Csr {
  const terms = new Map<number, number>();
  const bags = docs.map((d) => {
    const bag = new Map<number, number>();
    for (const a of Array.from(d)) {
      let t = terms.get(a);
      if (t === undefined) terms.set(a, (t = terms.size));
      bag.set(t, (bag.get(t) ?? 0) + 1);
    }
    return bag;
  });
  const n = docs.length,
    df = new Float64Array(terms.size);
  for (const bag of bags) for (const t of bag.keys()) df[t]!++;
  const idf = Float64Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
  const indptr = new Int32Array(n + 1),
    indices: number[] = [],
    values: number[] = [];
  bags.forEach((bag, u) => {
    const total = [...bag.values()].reduce((a, b) => a + b, 0);
    const entries = [...bag].sort((a, b) => a[0] - b[0]).map(([t, c]) => [t, (c / total) * idf[t]!] as const);
    const norm = Math.hypot(...entries.map(([, v]) => v)) || 1;
    for (const [t, v] of entries) {
      indices.push(t);
      values.push(v / norm);
    }
    indptr[u + 1] = indices.length;
  });
  return { rows: n, cols: terms.size, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

/** X·M (M: cols×k → rows×k), or with `t` Xᵀ·M (M: rows×k → cols×k); X in CSR, M dense. */
function mul(x: Csr, m: Float64Array, k: number, t = false): Float64Array {
  const out = new Float64Array((t ? x.cols : x.rows) * k);
  for (let r = 0; r < x.rows; r++)
    for (let p = x.indptr[r]!; p < x.indptr[r + 1]!; p++) {
      const v = x.values[p]!,
        [o, i] = t ? [x.indices[p]! * k, r * k] : [r * k, x.indices[p]! * k];
      for (let j = 0; j < k; j++) out[o + j] += v * m[i + j]!;
    }
  return out;
}

/** Orthonormalises the k columns of a (n×k) in place (modified Gram–Schmidt; null columns stay zero). */
function orthonormalise(a: Float64Array, n: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let d = 0;
      for (let r = 0; r < n; r++) d += a[r * k + i]! * a[r * k + j]!;
      for (let r = 0; r < n; r++) a[r * k + j] -= d * a[r * k + i]!;
    }
    let s = 0;
    for (let r = 0; r < n; r++) s += a[r * k + j]! ** 2;
    const inv = s > 1e-24 ? 1 / Math.sqrt(s) : 0;
    for (let r = 0; r < n; r++) a[r * k + j] *= inv;
  }
}

/** Randomised truncated SVD of X → U·Σ (rows×dim, float32). */
export function truncatedSvd(x: Csr, dim: number, opts: { seed?: number; oversample?: number; powerIters?: number } = {}): Float32Array {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`truncated SVD: dim must be a positive integer, got ${dim}`);
  if (dim > Math.min(x.rows, x.cols)) throw new RangeError(`truncated SVD: dim ${dim} exceeds min(users ${x.rows}, attribute tokens ${x.cols})`);
  const l = Math.min(dim + (opts.oversample ?? 10), x.cols),
    rng = new Rng(opts.seed ?? 1);
  const omega = Float64Array.from({ length: x.cols * l }, () => rng.normal());
  let q = mul(x, omega, l);
  orthonormalise(q, x.rows, l);
  for (let i = 0; i < (opts.powerIters ?? 3); i++) {
    const z = mul(x, q, l, true);
    orthonormalise(z, x.cols, l);
    q = mul(x, z, l);
    orthonormalise(q, x.rows, l);
  }
  // B = Qᵀ X (l×cols); B Bᵀ = W S² Wᵀ; U·Σ of X ≈ Q·W·S = Q·(B Bᵀ)^{1/2} restricted: Q·W·S.
  const bt = mul(x, q, l, true); // cols×l = Bᵀ
  const bbt = new Float64Array(l * l);
  for (let c = 0; c < x.cols; c++) for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) bbt[i * l + j] += bt[c * l + i]! * bt[c * l + j]!;
  const { values, vectors } = symmetricEigen(bbt, l);
  const order = [...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, dim);
  const out = new Float32Array(x.rows * dim);
  order.forEach((e, j) => {
    const s = Math.sqrt(Math.max(values[e]!, 0));
    let best = 0;
    for (let r = 0; r < x.rows; r++) {
      let v = 0;
      for (let i = 0; i < l; i++) v += q[r * l + i]! * vectors[i * l + e]!;
      out[r * dim + j] = v * s;
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    if (best < 0) for (let r = 0; r < x.rows; r++) out[r * dim + j] = -out[r * dim + j]!;
  });
  return out;
}

/** The offline profile embedding of each history: TF-IDF of attribute tokens → truncated SVD (rows×dim). */
export function attributeProfiles(histories: readonly ArrayLike<number>[], attrs: ItemAttributes, dim: number, seed = 1): Float32Array {
  return truncatedSvd(tfidf(histories, attrs), dim, { seed });
}
