// Packed sequences and the GRU, in float64, one sequence at a time in input order: the
// ground truth for native/cpu/pack.cc and native/cpu/gru.cc.
import type { PackedLayout } from '../../sequence/layout.js';
import type { Tensor } from '../../tensor.js';
import { registerKernels, type GruParams } from '../registry.js';
import { gruLayoutFloats } from '../workspace.js';
import { refData } from './backend.js';
import { dropoutKeep } from './dropout.js';

function packPadded(padded: Tensor, layout: PackedLayout, packed: Tensor): void {
  const [, T, E] = padded.shape as [number, number, number];
  const P = refData(padded),
    Q = refData(packed);
  for (let b = 0; b < layout.batch; b++)
    for (let t = 0; t < layout.lengths[b]!; t++) for (let e = 0; e < E; e++) Q[layout.row(b, t) * E + e] = P[(b * T + t) * E + e]!;
}

function unpackPadded(packed: Tensor, layout: PackedLayout, padded: Tensor): void {
  const [, T, E] = padded.shape as [number, number, number];
  const P = refData(padded),
    Q = refData(packed);
  P.fill(0);
  for (let b = 0; b < layout.batch; b++)
    for (let t = 0; t < layout.lengths[b]!; t++) for (let e = 0; e < E; e++) P[(b * T + t) * E + e] = Q[layout.row(b, t) * E + e]!;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface Dims {
  L: number;
  E: number;
  H: number;
  total: number;
}

function dims(x: Tensor, w: GruParams, layout: PackedLayout): Dims {
  return { L: w.wIh.length, E: x.shape[1]!, H: w.wHh[0]!.shape[1]!, total: layout.total };
}

/** The workspace layout of native/cpu/gru.cc (WorkspaceView); the top layer's output is `top`. */
function views(ws: Float64Array, d: Dims, save: boolean, top: Float64Array) {
  const { L, H, total } = d;
  const at = (o: number, n: number): Float64Array => ws.subarray(o, o + n);
  const g = save ? L * total * 4 * H : 0;
  return {
    gates: (l: number) => (save ? at(l * total * 4 * H, total * 4 * H) : new Float64Array(total * 4 * H)),
    out: (l: number) => (l === L - 1 ? top : at(g + l * total * H, total * H)),
    dropped: (l: number) => at(g + (L - 1) * total * H + (l - 1) * total * 2 * H, total * H),
    mask: (l: number) => at(g + (L - 1) * total * H + (l - 1) * total * 2 * H + total * H, total * H),
  };
}

function gruForward(
  x: Tensor,
  w: GruParams,
  h0: Tensor | null,
  layout: PackedLayout,
  p: number,
  seed: number,
  save: boolean,
  workspace: Tensor,
  out: Tensor,
  hn: Tensor,
): void {
  const d = dims(x, w, layout),
    { L, H, total } = d,
    B = layout.batch;
  const ws = refData(workspace);
  if (ws.length < gruLayoutFloats(L, total, H, save, p > 0)) throw new TypeError(`reference gruForward: workspace ${workspace.describe()} is too small`);
  const v = views(ws, d, save, refData(out)),
    H0 = h0 && refData(h0),
    HN = refData(hn);
  for (let l = 0; l < L; l++) {
    let X = l === 0 ? refData(x) : v.out(l - 1);
    if (l > 0 && p > 0) {
      const m = v.mask(l),
        dr = v.dropped(l),
        s = (seed + l) >>> 0;
      for (let i = 0; i < total * H; i++) {
        m[i] = dropoutKeep(p, s, i);
        dr[i] = X[i]! * m[i]!;
      }
      X = dr;
    }
    const E = l === 0 ? d.E : H;
    const Wi = refData(w.wIh[l]!),
      Wh = refData(w.wHh[l]!),
      bi = refData(w.bIh[l]!),
      bh = refData(w.bHh[l]!);
    const O = v.out(l),
      G = v.gates(l);
    for (let b = 0; b < B; b++) {
      let h = H0 ? H0.slice((l * B + b) * H, (l * B + b + 1) * H) : new Float64Array(H);
      for (let t = 0; t < layout.lengths[b]!; t++) {
        const row = layout.row(b, t),
          next = new Float64Array(H);
        const gi = (g: number): number => {
          let s = bi[g]!;
          for (let e = 0; e < E; e++) s += Wi[g * E + e]! * X[row * E + e]!;
          return s;
        };
        const gh = (g: number): number => {
          let s = bh[g]!;
          for (let m = 0; m < H; m++) s += Wh[g * H + m]! * h[m]!;
          return s;
        };
        for (let j = 0; j < H; j++) {
          const r = sigmoid(gi(j) + gh(j)),
            z = sigmoid(gi(H + j) + gh(H + j)),
            ghn = gh(2 * H + j);
          const n = Math.tanh(gi(2 * H + j) + r * ghn);
          next[j] = (1 - z) * n + z * h[j]!;
          G[row * 4 * H + j] = r;
          G[row * 4 * H + H + j] = z;
          G[row * 4 * H + 2 * H + j] = n;
          G[row * 4 * H + 3 * H + j] = ghn;
        }
        O.set(next, row * H);
        h = next;
      }
      HN.set(h, (l * B + b) * H);
    }
  }
}

function gruBackward(
  x: Tensor,
  w: GruParams,
  h0: Tensor | null,
  layout: PackedLayout,
  p: number,
  workspace: Tensor,
  out: Tensor,
  dout: Tensor | null,
  dhn: Tensor | null,
  dx: Tensor | null,
  dw: GruParams,
  dh0: Tensor | null,
): void {
  const d = dims(x, w, layout),
    { L, H, total } = d,
    B = layout.batch;
  const v = views(refData(workspace), d, true, refData(out)),
    H0 = h0 && refData(h0),
    DHN = dhn && refData(dhn),
    DH0 = dh0 && refData(dh0);
  let D: Float64Array = dout ? refData(dout) : new Float64Array(total * H); // gradient w.r.t. this layer's output
  for (let l = L - 1; l >= 0; l--) {
    const E = l === 0 ? d.E : H;
    const X = l === 0 ? refData(x) : p > 0 ? v.dropped(l) : v.out(l - 1);
    const Wi = refData(w.wIh[l]!),
      Wh = refData(w.wHh[l]!),
      O = v.out(l),
      G = v.gates(l);
    const dWi = refData(dw.wIh[l]!).fill(0),
      dWh = refData(dw.wHh[l]!).fill(0);
    const dbi = refData(dw.bIh[l]!).fill(0),
      dbh = refData(dw.bHh[l]!).fill(0);
    const dX = new Float64Array(total * E);
    for (let b = 0; b < B; b++) {
      let carry = DHN ? DHN.slice((l * B + b) * H, (l * B + b + 1) * H) : new Float64Array(H);
      for (let t = layout.lengths[b]! - 1; t >= 0; t--) {
        const row = layout.row(b, t);
        const hp =
          t > 0
            ? O.subarray(layout.row(b, t - 1) * H, layout.row(b, t - 1) * H + H)
            : H0
              ? H0.subarray((l * B + b) * H, (l * B + b + 1) * H)
              : new Float64Array(H);
        const dgi = new Float64Array(3 * H),
          dgh = new Float64Array(3 * H),
          next = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const g = row * 4 * H,
            r = G[g + j]!,
            z = G[g + H + j]!,
            n = G[g + 2 * H + j]!,
            ghn = G[g + 3 * H + j]!;
          const dh = carry[j]! + D[row * H + j]!;
          const dan = dh * (1 - z) * (1 - n * n);
          const dar = dan * ghn * r * (1 - r),
            daz = dh * (hp[j]! - n) * z * (1 - z);
          dgi[j] = dar;
          dgi[H + j] = daz;
          dgi[2 * H + j] = dan;
          dgh[j] = dar;
          dgh[H + j] = daz;
          dgh[2 * H + j] = dan * r;
          next[j] = dh * z;
        }
        for (let g = 0; g < 3 * H; g++) {
          dbi[g] += dgi[g]!;
          dbh[g] += dgh[g]!;
          for (let e = 0; e < E; e++) {
            dWi[g * E + e] += dgi[g]! * X[row * E + e]!;
            dX[row * E + e] += dgi[g]! * Wi[g * E + e]!;
          }
          for (let m = 0; m < H; m++) {
            dWh[g * H + m] += dgh[g]! * hp[m]!;
            next[m] += dgh[g]! * Wh[g * H + m]!;
          }
        }
        carry = next;
      }
      DH0?.set(carry, (l * B + b) * H);
    }
    if (l === 0) {
      if (dx) refData(dx).set(dX);
    } else D = p > 0 ? dX.map((g, i) => g * v.mask(l)[i]!) : dX;
  }
}

registerKernels('reference', { packPadded, unpackPadded, gruForward, gruBackward, gruWorkspaceFloats: gruLayoutFloats });
