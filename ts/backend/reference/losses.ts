// Loss functions: fused softmax cross-entropy, mean squared error, row-wise cosine similarity.
import { registerKernels } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData, refIndices } from './backend.js';
import { rowsCols } from '../backend.js';

function scalarOf(t: Tensor, what: string): number {
  if (t.size !== 1) throw new TypeError(`reference ${what}: expected one element, got ${t.describe()}`);
  return refData(t)[0]!;
}

function checkTarget(targets: Tensor, r: number, t: number, C: number, ignore: number): void {
  if (t === ignore) return;
  if (!Number.isInteger(t) || t < 0 || t >= C)
    throw new RangeError(`reference softmaxXent: targets[${r}] = ${t} is outside [0, ${C}) and is not ignore (${ignore}) (${targets.describe()})`);
}

function xentShapes(logits: Tensor, targets: Tensor, lse: Tensor, what: string): [number, number] {
  const [N, C] = rowsCols(logits);
  if (targets.size !== N || lse.size !== N)
    throw new TypeError(`reference ${what}: ${targets.describe()} / ${lse.describe()} need ${N} elements (rows of ${logits.describe()})`);
  return [N, C];
}

function softmaxXent(logits: Tensor, targets: Tensor, lse: Tensor, loss: Tensor, count: Tensor, ignore: number): void {
  const [N, C] = xentShapes(logits, targets, lse, 'softmaxXent');
  const X = refData(logits),
    T = refIndices(targets),
    L = refData(lse);
  let total = 0;
  let cnt = 0;
  for (let r = 0; r < N; r++) {
    checkTarget(targets, r, T[r]!, C, ignore);
    const o = r * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = X[o + c]! > m ? X[o + c]! : m;
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(X[o + c]! - m);
    L[r] = m + Math.log(s);
    if (T[r] !== ignore) {
      total += L[r]! - X[o + T[r]!]!;
      cnt++;
    }
  }
  if (loss.size !== 1 || count.size !== 1)
    throw new TypeError(`reference softmaxXent: loss and count need one element (${loss.describe()}, ${count.describe()})`);
  refData(loss)[0] = cnt === 0 ? 0 : total / cnt;
  refData(count)[0] = cnt;
}

function softmaxXentGrad(logits: Tensor, targets: Tensor, lse: Tensor, count: Tensor, dloss: Tensor, dlogits: Tensor, ignore: number): void {
  const [N, C] = xentShapes(logits, targets, lse, 'softmaxXentGrad');
  if (dlogits.size !== logits.size) throw new TypeError(`reference softmaxXentGrad: ${dlogits.describe()} does not match ${logits.describe()}`);
  const X = refData(logits),
    T = refIndices(targets),
    L = refData(lse),
    D = refData(dlogits);
  const cnt = scalarOf(count, 'softmaxXentGrad count');
  const scale = cnt === 0 ? 0 : scalarOf(dloss, 'softmaxXentGrad dloss') / cnt;
  for (let r = 0; r < N; r++) {
    const t = T[r]!;
    checkTarget(targets, r, t, C, ignore);
    const o = r * C;
    if (t === ignore) {
      D.fill(0, o, o + C);
      continue;
    }
    for (let c = 0; c < C; c++) D[o + c] = scale * Math.exp(X[o + c]! - L[r]!);
    D[o + t] = D[o + t]! - scale;
  }
}

function mse(a: Tensor, b: Tensor, out: Tensor): void {
  if (a.size !== b.size) throw new TypeError(`reference mse: sizes differ (${a.describe()}, ${b.describe()})`);
  const A = refData(a),
    B = refData(b);
  let s = 0;
  for (let i = 0; i < a.size; i++) s += (A[i]! - B[i]!) ** 2;
  if (out.size !== 1) throw new TypeError(`reference mse: out must have one element, got ${out.describe()}`);
  refData(out)[0] = a.size > 0 ? s / a.size : 0; // as the cpu kernel: an empty mse is 0
}

/** da = dout[0]·2(a − b)/n, db = −da. */
function mseGrad(a: Tensor, b: Tensor, dout: Tensor, da: Tensor | null, db: Tensor | null): void {
  const n = a.size;
  if (b.size !== n || (da && da.size !== n) || (db && db.size !== n))
    throw new TypeError(`reference mseGrad: sizes differ (${[a, b, da, db].map((t) => t?.describe() ?? 'null').join(', ')})`);
  const A = refData(a),
    B = refData(b);
  const s = n > 0 ? scalarOf(dout, 'mseGrad dout') / n : 0;
  const DA = da && refData(da),
    DB = db && refData(db);
  for (let i = 0; i < n; i++) {
    const g = 2 * s * (A[i]! - B[i]!);
    if (DA) DA[i] = g;
    if (DB) DB[i] = -g;
  }
}

/** mean of max(x,0) − x·y + log(1 + e^−|x|) */
function bceLogits(x: Tensor, y: Tensor, out: Tensor): void {
  const X = refData(x),
    Y = refData(y);
  let s = 0;
  for (let i = 0; i < x.size; i++) s += Math.max(X[i]!, 0) - X[i]! * Y[i]! + Math.log1p(Math.exp(-Math.abs(X[i]!)));
  refData(out)[0] = x.size > 0 ? s / x.size : 0;
}

function bceLogitsGrad(x: Tensor, y: Tensor, dout: Tensor, dx: Tensor): void {
  const X = refData(x),
    Y = refData(y),
    D = refData(dx),
    k = x.size > 0 ? scalarOf(dout, 'bceLogitsGrad dout') / x.size : 0;
  for (let i = 0; i < x.size; i++) D[i] = k * (1 / (1 + Math.exp(-X[i]!)) - Y[i]!);
}

interface CosParts {
  dot: number;
  na: number;
  nb: number;
}

function cosParts(A: Float64Array, B: Float64Array, o: number, D: number): CosParts {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let j = 0; j < D; j++) {
    dot += A[o + j]! * B[o + j]!;
    na += A[o + j]! * A[o + j]!;
    nb += B[o + j]! * B[o + j]!;
  }
  return { dot, na: Math.sqrt(na), nb: Math.sqrt(nb) };
}

function cosShapes(a: Tensor, b: Tensor, what: string): [number, number] {
  const [N, D] = rowsCols(a);
  if (b.size !== a.size) throw new TypeError(`reference ${what}: sizes differ (${a.describe()}, ${b.describe()})`);
  return [N, D];
}

/** out[i] = a_i·b_i / (max(|a_i|, eps)·max(|b_i|, eps)) */
function cosine(a: Tensor, b: Tensor, out: Tensor, eps: number): void {
  const [N, D] = cosShapes(a, b, 'cosine');
  if (out.size !== N) throw new TypeError(`reference cosine: ${out.describe()} needs ${N} elements`);
  const A = refData(a),
    B = refData(b),
    O = refData(out);
  for (let i = 0; i < N; i++) {
    const p = cosParts(A, B, i * D, D);
    O[i] = p.dot / (Math.max(p.na, eps) * Math.max(p.nb, eps));
  }
}

/** dcos/da = b/(A·B) − [|a| > eps]·cos·a/|a|², A = max(|a|, eps), B = max(|b|, eps); symmetric for b. */
function cosineGrad(a: Tensor, b: Tensor, dout: Tensor, da: Tensor | null, db: Tensor | null, eps: number): void {
  const [N, D] = cosShapes(a, b, 'cosineGrad');
  if (dout.size !== N || (da && da.size !== a.size) || (db && db.size !== a.size))
    throw new TypeError(`reference cosineGrad: sizes differ (${[a, b, dout, da, db].map((t) => t?.describe() ?? 'null').join(', ')})`);
  const A = refData(a),
    B = refData(b),
    G = refData(dout);
  const DA = da && refData(da),
    DB = db && refData(db);
  for (let i = 0; i < N; i++) {
    const o = i * D;
    const p = cosParts(A, B, o, D);
    const An = Math.max(p.na, eps),
      Bn = Math.max(p.nb, eps);
    const cs = p.dot / (An * Bn),
      g = G[i]!;
    const ka = p.na > eps ? cs / (p.na * p.na) : 0;
    const kb = p.nb > eps ? cs / (p.nb * p.nb) : 0;
    for (let j = 0; j < D; j++) {
      if (DA) DA[o + j] = g * (B[o + j]! / (An * Bn) - ka * A[o + j]!);
      if (DB) DB[o + j] = g * (A[o + j]! / (An * Bn) - kb * B[o + j]!);
    }
  }
}

/** Row softmax by its definition, e^(x − max)/Σ e^(x − max). */
function softmax(x: Tensor, y: Tensor): void {
  const [N, C] = rowsCols(x),
    X = refData(x),
    Y = refData(y);
  for (let r = 0; r < N; r++) {
    const row = X.subarray(r * C, (r + 1) * C),
      mx = Math.max(...row);
    const z = row.reduce((a, v) => a + Math.exp(v - mx), 0);
    for (let c = 0; c < C; c++) Y[r * C + c] = Math.exp(row[c]! - mx) / z;
  }
}

function softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor): void {
  const [N, C] = rowsCols(y),
    Y = refData(y),
    G = refData(dy),
    DX = refData(dx);
  for (let r = 0; r < N; r++) {
    let dot = 0;
    for (let c = 0; c < C; c++) dot += Y[r * C + c]! * G[r * C + c]!;
    for (let c = 0; c < C; c++) DX[r * C + c] = Y[r * C + c]! * (G[r * C + c]! - dot);
  }
}

registerKernels('reference', { softmax, softmaxGrad, bceLogits, bceLogitsGrad, softmaxXent, softmaxXentGrad, mse, mseGrad, cosine, cosineGrad });
