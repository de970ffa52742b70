import { isGradEnabled, record } from '../autograd.js';
import { kernel, type GruParams } from '../backend/registry.js';
import { globalRng } from '../rng.js';
import type { PackedLayout } from '../sequence/layout.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkDropout, checkFloat, checkSameBackend, fail, fmt } from './check.js';

export interface GruOptions {
  /** Initial state, L×B×H in input order; zeros when absent. */
  h0?: Tensor | null;
  /** Dropout between layers (not after the last), applied only when training. */
  dropout?: number;
  training?: boolean;
  /** Seed of the dropout masks; drawn from the global RNG when absent. */
  seed?: number;
}

function checkParams(x: Tensor, w: GruParams): { L: number; H: number; E: number } {
  const op = 'gru',
    L = w.wIh.length;
  if (L < 1 || w.wHh.length !== L || w.bIh.length !== L || w.bHh.length !== L)
    fail(op, `needs the same number (≥ 1) of wIh, wHh, bIh and bHh tensors, got ${w.wIh.length}, ${w.wHh.length}, ${w.bIh.length}, ${w.bHh.length}`);
  const H = w.wHh[0]!.shape[1]!,
    E = x.shape[1]!;
  const want = (t: Tensor, shape: number[], name: string): void => {
    checkFloat(op, name, t);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) fail(op, `${name} is ${fmt(t.shape)}, expected ${fmt(shape)}`);
  };
  for (let l = 0; l < L; l++) {
    want(w.wIh[l]!, [3 * H, l === 0 ? E : H], `wIh[${l}]`);
    want(w.wHh[l]!, [3 * H, H], `wHh[${l}]`);
    want(w.bIh[l]!, [3 * H], `bIh[${l}]`);
    want(w.bHh[l]!, [3 * H], `bHh[${l}]`);
  }
  return { L, H, E };
}

/**
 * A multi-layer GRU (PyTorch's gate order and "reset after" form) over a packed batch, as
 * ONE autograd node: x (total×E, packed by `layout`) → output (total×H, the top layer at
 * every step) and hn (L×B×H, each sequence's final state, input order).
 */
export function gru(x: Tensor, layout: PackedLayout, w: GruParams, opts: GruOptions = {}): { output: Tensor; hn: Tensor } {
  checkFloat('gru', 'x', x);
  if (x.rank !== 2 || x.shape[0] !== layout.total) fail('gru', `x ${fmt(x.shape)} must be [${layout.total}, E] (packed rows × features) for this layout`);
  const { L, H } = checkParams(x, w);
  const h0 = opts.h0 ?? null;
  if (h0) {
    checkFloat('gru', 'h0', h0);
    if (h0.shape.join() !== [L, layout.batch, H].join()) fail('gru', `h0 ${fmt(h0.shape)} must be [${L}, ${layout.batch}, ${H}]`);
  }
  const all = [...w.wIh, ...w.wHh, ...w.bIh, ...w.bHh];
  checkSameBackend('gru', x, ...all, ...(h0 ? [h0] : []));
  const p = opts.training === false ? 0 : (opts.dropout ?? 0);
  checkDropout('gru', 'dropout', p);
  const seed = p > 0 && L > 1 ? (opts.seed ?? globalRng().nextUint32()) : 0;
  const inputs = [x, ...(h0 ? [h0] : []), ...all];
  const save = isGradEnabled() && inputs.some((t) => t.requiresGrad); // else inference: no gates kept
  const ws = alloc(x, [kernel('gruWorkspaceFloats', x)(L, layout.total, H, save, p > 0)]);
  const output = alloc(x, [layout.total, H]),
    hn = alloc(x, [L, layout.batch, H]);
  kernel('gruForward', x)(x, w, h0, layout, p, seed, save, ws, output, hn);
  record(
    'gru',
    inputs,
    [output, hn],
    ([gOut, gHn]) => {
      const like = (gOut ?? gHn)!;
      const dx = x.requiresGrad ? alloc(like, x.shape) : null;
      const dh0 = h0?.requiresGrad ? alloc(like, h0.shape) : null;
      const grads = (ts: readonly Tensor[]): Tensor[] => ts.map((t) => alloc(like, t.shape));
      const dw: GruParams = { wIh: grads(w.wIh), wHh: grads(w.wHh), bIh: grads(w.bIh), bHh: grads(w.bHh) };
      kernel('gruBackward', like)(x, w, h0, layout, p, ws, output, gOut, gHn, dx, dw, dh0);
      return [dx, ...(h0 ? [dh0] : []), ...dw.wIh, ...dw.wHh, ...dw.bIh, ...dw.bHh];
    },
    [ws],
  );
  return { output, hn };
}
