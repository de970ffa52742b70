// User-profile distillation (SYSTEMS.md, System 2): layer k's hidden states are pooled per
// user into H_k(u), a learnable linear map T sends the user's profile embedding to the hidden
// size, and L_distil compares the two (MSE, RMSE or 1 − cosine) over the users of the batch
// that have a profile (the others contribute nothing). The head lives beside the model and is
// never saved with it: serving needs neither profiles nor T.
import { Linear, type LayerOptions } from '../nn/layers.js';
import { Module, initTensor } from '../nn/module.js';
import * as ops from '../ops/index.js';
import { globalRng } from '../rng.js';
import type { PackedLayout } from '../sequence/layout.js';
import { tensor, type Tensor } from '../tensor.js';

export type Pooling = 'mean' | 'exp' | 'attention' | 'last';
export type DistillLossKind = 'mse' | 'rmse' | 'cosine';
export const POOLINGS: readonly Pooling[] = ['mean', 'exp', 'attention', 'last'];
export const DISTILL_LOSSES: readonly DistillLossKind[] = ['mse', 'rmse', 'cosine'];

export interface DistillConfig {
  /** Hidden layer to pool: 0 = embedded input, k = after block k. */
  layer: number;
  pooling: Pooling;
  /** Exponential pooling's weights ∝ exp(gamma·t). */
  gamma: number;
  loss: DistillLossKind;
  alpha: number;
  /** Distil while epoch < ftEpoch (E_ft), then L_rec alone. */
  ftEpoch: number;
  /** β = 1, or the detached ratio L_rec / L_distil. */
  beta: 'one' | 'scaled';
}

/** Profile vectors by dataset user index (row −1: the user has none). */
export interface ProfileTable {
  dim: number;
  vectors: Float32Array;
  /** rowOf[userIndex] = the user's row in vectors, or −1. */
  rowOf: Int32Array;
}

/** Fixed pooling weights (B×total): mean, exp(γ·t) normalised, or the last step. */
export function poolingWeights(layout: PackedLayout, pooling: Exclude<Pooling, 'attention'>, gamma: number): Float32Array {
  const { batch: B, total } = layout,
    w = new Float32Array(B * total);
  for (let b = 0; b < B; b++) {
    const L = layout.lengths[b]!;
    const raw = Array.from({ length: L }, (_, t) => (pooling === 'mean' ? 1 : pooling === 'exp' ? Math.exp(gamma * (t - (L - 1))) : t === L - 1 ? 1 : 0));
    const z = raw.reduce((a, v) => a + v, 0);
    raw.forEach((v, t) => {
      w[b * total + layout.row(b, t)] = v / z;
    });
  }
  return w;
}

export class DistillHead extends Module {
  readonly map: Linear;
  readonly query: Tensor | null;

  constructor(
    readonly cfg: DistillConfig,
    profileDim: number,
    hidden: number,
    opts: LayerOptions = {},
  ) {
    super();
    const rng = opts.rng ?? globalRng();
    this.map = this.child('map', new Linear(profileDim, hidden, opts));
    this.query =
      cfg.pooling === 'attention'
        ? this.param(
            'query',
            initTensor([hidden, 1], () => rng.normal() / Math.sqrt(hidden), opts.backend),
          )
        : null;
  }

  /** h (total×d) packed → H_k (B×d), per sequence in input order. */
  pool(h: Tensor, layout: PackedLayout): Tensor {
    const { batch: B, total } = layout,
      b = h.backend;
    if (!this.query)
      return ops.matmul(tensor(poolingWeights(layout, this.cfg.pooling as Exclude<Pooling, 'attention'>, this.cfg.gamma), [B, total], { backend: b }), h);
    // Learned attention: a_b = softmax over sequence b's rows of h·q (other rows masked).
    const s = ops.reshape(ops.matmul(h, this.query), [1, total]);
    const mask = new Float32Array(B * total).fill(-1e9);
    for (let k = 0; k < B; k++) for (let t = 0; t < layout.lengths[k]!; t++) mask[k * total + layout.row(k, t)] = 0;
    const scores = ops.add(ops.matmul(tensor(new Float32Array(B).fill(1), [B, 1], { backend: b }), s), tensor(mask, [B, total], { backend: b }));
    return ops.matmul(ops.softmax(scores), h);
  }

  /**
   * The distillation term for a batch: pooled (B×d) against T(profile) for the sequences
   * whose user has a profile; null when none has. The tensor's value is MSE (mse, rmse) or
   * the mean cosine (cosine); ts/rec/train.ts turns it into L_distil.
   */
  term(pooled: Tensor, users: Int32Array, profiles: ProfileTable): { t: Tensor } | null {
    const rows: number[] = [],
      sel: number[] = [];
    users.forEach((u, i) => {
      const r = profiles.rowOf[u]!;
      if (r >= 0) {
        rows.push(r);
        sel.push(i);
      }
    });
    if (!sel.length) return null;
    const p = new Float32Array(sel.length * profiles.dim);
    rows.forEach((r, i) => p.set(profiles.vectors.subarray(r * profiles.dim, (r + 1) * profiles.dim), i * profiles.dim));
    const b = pooled.backend;
    const picked = ops.embedding(pooled, tensor(Int32Array.from(sel), [sel.length], { dtype: 'int32', backend: b }));
    const target = this.map.forward(tensor(p, [sel.length, profiles.dim], { backend: b }));
    const t = this.cfg.loss === 'cosine' ? ops.mean(ops.cosineSimilarity(picked, target)) : ops.mse(picked, target);
    return { t };
  }
}

/**
 * From the term's value v and L_rec's value r: L_distil's value, the factor f such that
 * f·term has L_distil's gradient (RMSE = √MSE: f = 1/(2√v); 1 − cosine: f = −1), and β.
 */
export function distillFactors(cfg: DistillConfig, v: number, r: number): { value: number; factor: number; beta: number } {
  const value = cfg.loss === 'mse' ? v : cfg.loss === 'rmse' ? Math.sqrt(v) : 1 - v;
  const factor = cfg.loss === 'mse' ? 1 : cfg.loss === 'rmse' ? (v > 0 ? 1 / (2 * Math.sqrt(v)) : 0) : -1;
  const beta = cfg.beta === 'one' ? 1 : value > 1e-12 ? r / value : 0;
  return { value, factor, beta };
}
