// The multi-layer GRU on webgpu (kernels/gru.wgsl for the cell and the gathers,
// kernels/gemm.wgsl's gemm_at for the products). Per layer, forward: one GEMM projects every
// token's input (x·W_ihᵀ), then the recurrence; backward: the recurrence in reverse, then
// dW_ih, dW_hh, the bias gradients and dx take one dispatch each over all rows.
// The recurrence runs one of two ways:
// - 'sequence' (default while H ≤ SEQ_TILE): every step of a layer in one dispatch
//   (seq_forward, seq_backward), each workgroup a few sequences through all their steps with
//   their states in workgroup memory;
// - 'steps': per step, a GEMM of the running rows' previous states with W_hhᵀ and the fused
//   cell (backward: the cell, then a GEMM with W_hh carrying the state gradient back): two
//   dispatches per step, each with its bind group made on the host.
//
// The workspace has the layout of gruLayoutFloats (as the cpu backend):
// [gates (L×total×4H, with save)][outputs of layers below the top ((L−1)×total×H)]
// [dropped input, mask (total×H each) per upper layer, with dropout]. Temporaries (the
// input projection, each layer's states before the copy to their place, the backward's
// per-row gradients) are pooled buffers freed before returning.
import type { PackedLayout } from '../../sequence/layout.js';
import { tensor, type Tensor } from '../../tensor.js';
import { registerKernels } from '../registry.js';
import { gruLayoutFloats } from '../workspace.js';
import { gpu, scratch, type WebGpuBackend } from './backend.js';
import { sumColumns } from './elementwise.js';
import { dispatchGemm } from './gemm.js';

/** Floats of workgroup memory the whole-sequence kernels hold (SEQ_TILE in kernels/gru.wgsl: with one u32, WebGPU's default 16 KiB). */
const SEQ_TILE = 4092;

/** SEQCORE_WEBGPU_GRU=sequence|steps forces one way (the device check runs the conformance suite both ways). */
function recurrenceFromEnv(): 'sequence' | 'steps' {
  const v = process.env.SEQCORE_WEBGPU_GRU;
  if (v === undefined || v === '' || v === 'sequence') return 'sequence';
  if (v === 'steps') return 'steps';
  throw new Error(`SEQCORE_WEBGPU_GRU=${v}: expected 'sequence' or 'steps'`);
}

let recurrence = recurrenceFromEnv();

/** How the recurrence runs (the top of this file); 'sequence' falls back to 'steps' where H > SEQ_TILE. For tests and benchmarks. */
export function useGruRecurrence(way: 'sequence' | 'steps'): void {
  recurrence = way;
}

/**
 * Sequences per workgroup of the whole-sequence kernels: as many as fit SEQ_TILE, but few
 * enough to give about 64 workgroups (a GPU has tens of compute units, each wanting a group);
 * null where one state does not fit (H > SEQ_TILE), where the groups would pass one dispatch
 * dimension's 65,535, or where the recurrence runs by steps.
 */
export function sequencesPerGroup(B: number, H: number): number | null {
  if (recurrence === 'steps' || H > SEQ_TILE) return null;
  const m = Math.max(1, Math.min(Math.floor(SEQ_TILE / H), Math.ceil(B / 64)));
  return Math.ceil(B / m) <= 65535 ? m : null; // one dispatch dimension (the kernels index wid.x alone)
}

/**
 * The row index of kernels/gru.wgsl: per packed row, the row of the state before it (the
 * previous step's row of the same sequence), or −1 − the sequence's input index at step 0;
 * then per input sequence the row of its last step; then offsets[t] and batchSizes[t].
 */
function rowIndex(b: WebGpuBackend, layout: PackedLayout): Tensor {
  const { total, batch, offsets, batchSizes, sortedIndices, maxLength: T } = layout;
  const idx = new Int32Array(total + batch + 2 * T);
  for (let t = 0; t < T; t++) for (let k = 0; k < batchSizes[t]!; k++) idx[offsets[t]! + k] = t === 0 ? -1 - sortedIndices[k]! : offsets[t - 1]! + k;
  idx.set(layout.lastRows(), total);
  idx.set(offsets.subarray(0, T), total + batch);
  idx.set(batchSizes.subarray(0, T), total + batch + T);
  return tensor(idx, [idx.length], { dtype: 'int32', backend: b });
}

/** Offsets (floats) of the workspace's parts. */
function workspaceLayout(L: number, total: number, H: number, save: boolean) {
  const lower = save ? L * total * 4 * H : 0;
  const dropped = (l: number): number => lower + (L - 1) * total * H + (l - 1) * total * 2 * H;
  return {
    gates: (l: number): number => l * total * 4 * H,
    out: (l: number): number => lower + l * total * H,
    dropped,
    mask: (l: number): number => dropped(l) + total * H,
  };
}

/** One operand of gemm_at: a tensor's buffer from element `off`, rows `ld` floats apart. */
interface Operand {
  t: Tensor;
  off: number;
  ld: number;
  trans: boolean;
}

/** c (M×N, dense from element 0) = op(a)·op(b) + beta·c. */
function gemmAt(a: Operand, b: Operand, c: Tensor, M: number, N: number, K: number, beta = 0): void {
  dispatchGemm(gpu(c), 'gemm_at', [a.t, b.t, c], { M, N, K, ta: +a.trans, tb: +b.trans, lda: a.ld, ldb: b.ld, oa: a.off, alpha: 1, beta, ob: b.off, oc: 0 });
}

registerKernels('webgpu', {
  gruWorkspaceFloats: gruLayoutFloats,
  gruForward(x, w, h0, layout, p, seed, save, ws, out, hn) {
    const be = gpu(out),
      L = w.wIh.length,
      H = w.wHh[0]!.shape[1]!,
      E0 = x.shape[1]!;
    const { total, batch: B, maxLength: T, offsets, batchSizes } = layout;
    if (ws.size < gruLayoutFloats(L, total, H, save, p > 0)) throw new TypeError(`webgpu gruForward: workspace ${ws.describe()} is too small`);
    const v = workspaceLayout(L, total, H, save);
    const idx = rowIndex(be, layout);
    // S: [h0 in sorted order (B×H) | the layer's outputs (total×H) | its gates (total×4H)]
    const gbase = (B + total) * H;
    const m = sequencesPerGroup(B, H);
    const gi = scratch(ws, total * 3 * H),
      gh = m ? null : scratch(ws, B * 3 * H),
      wt = m ? scratch(ws, 3 * H * H) : null,
      S = scratch(ws, gbase + (save ? total * 4 * H : 0));
    for (let l = 0; l < L; l++) {
      const E = l === 0 ? E0 : H;
      let X: Operand = { t: x, off: 0, ld: E, trans: false };
      if (l > 0) {
        X = { t: ws, off: p > 0 ? v.dropped(l) : v.out(l - 1), ld: H, trans: false };
        if (p > 0)
          be.dispatch1d(
            'gru',
            'dropout_input',
            [ws],
            { n: total * H, seed: (seed + l) >>> 0, src_off: v.out(l - 1), drop_off: v.dropped(l), mask_off: v.mask(l), p, keep: 1 / (1 - p) },
            total * H,
          );
      }
      gemmAt(X, { t: w.wIh[l]!, off: 0, ld: E, trans: true }, gi, total, 3 * H, E);
      be.dispatch1d('gru', 'gather_h0', [h0 ?? x, idx, S], { n: B * H, H, h0_off: l * B * H, has_h0: h0 ? 1 : 0 }, B * H);
      if (m && wt) {
        be.dispatch1d('gru', 'transpose_whh', [w.wHh[l]!, wt], { n: 3 * H * H, H }, 3 * H * H);
        be.dispatch('gru', 'seq_forward', [gi, wt, w.bIh[l]!, w.bHh[l]!, idx, S], { H, m, B, T, total, gbase, save: save ? 1 : 0 }, [Math.ceil(B / m)]);
      }
      for (let t = 0; gh && t < T; t++) {
        const bs = batchSizes[t]!,
          hbase = t === 0 ? 0 : B + offsets[t - 1]!;
        gemmAt({ t: S, off: hbase * H, ld: H, trans: false }, { t: w.wHh[l]!, off: 0, ld: H, trans: true }, gh, bs, 3 * H, H);
        be.dispatch1d(
          'gru',
          'cell_forward',
          [gi, gh, w.bIh[l]!, w.bHh[l]!, S],
          { n: bs * H, H, row0: offsets[t]!, hbase, obase: B + offsets[t]!, gbase, save: save ? 1 : 0 },
          bs * H,
        );
      }
      const top = l === L - 1;
      be.dispatch1d('gru', 'copy_range', [S, top ? out : ws], { n: total * H, src_off: B * H, dst_off: top ? 0 : v.out(l) }, total * H);
      if (save) be.dispatch1d('gru', 'copy_range', [S, ws], { n: total * 4 * H, src_off: gbase, dst_off: v.gates(l) }, total * 4 * H);
      be.dispatch1d('gru', 'gather_last', [S, idx, hn], { n: B * H, H, obase: B, last_at: total, hn_off: l * B * H }, B * H);
    }
    for (const t of [idx, gi, gh, wt, S]) t?.dispose();
  },

  gruBackward(x, w, h0, layout, p, ws, out, dout, dhn, dx, dw, dh0) {
    const be = gpu(out),
      L = w.wIh.length,
      H = w.wHh[0]!.shape[1]!,
      E0 = x.shape[1]!;
    const { total, batch: B, maxLength: T, offsets, batchSizes } = layout;
    if (ws.size < gruLayoutFloats(L, total, H, true, p > 0)) throw new TypeError(`webgpu gruBackward: workspace ${ws.describe()} is too small`);
    const v = workspaceLayout(L, total, H, true);
    const idx = rowIndex(be, layout);
    // Dg: per row [dgi (3H) | dgh (3H) | dh·z (H)]; Gc: a step's dgh·W_hh; HP: each row's
    // previous state; dX: the gradient w.r.t. the input of the layer above the current one.
    const G = 7 * H,
      m = sequencesPerGroup(B, H);
    // The whole-sequence kernel leaves the carry past step 0 after Dg's rows (B×H).
    const Dg = scratch(ws, total * G + (m ? B * H : 0)),
      Gc = m ? null : scratch(ws, B * H),
      HP = scratch(ws, total * H),
      dX = L > 1 ? scratch(ws, total * H) : null;
    for (let l = L - 1; l >= 0; l--) {
      const E = l === 0 ? E0 : H,
        top = l === L - 1;
      const X: Operand = l === 0 ? { t: x, off: 0, ld: E, trans: false } : { t: ws, off: p > 0 ? v.dropped(l) : v.out(l - 1), ld: H, trans: false };
      be.dispatch1d(
        'gru',
        'gather_hprev',
        [top ? out : ws, h0 ?? x, idx, HP],
        { n: total * H, H, o_off: top ? 0 : v.out(l), h0_off: l * B * H, has_h0: h0 ? 1 : 0 },
        total * H,
      );
      // The gradient w.r.t. this layer's output: dout at the top, else the layer above's
      // input gradient through its dropout mask.
      const D = top ? dout : dX,
        mask = !top && p > 0;
      const flags = { has_dhn: dhn ? 1 : 0, has_d: D ? 1 : 0, has_mask: mask ? 1 : 0, mask_off: mask ? v.mask(l + 1) : 0, gates_off: v.gates(l) };
      if (m) {
        be.dispatch('gru', 'seq_backward', [w.wHh[l]!, D ?? x, ws, HP, idx, dhn ?? x, Dg], { H, m, B, T, total, dhn_off: l * B * H, ...flags }, [
          Math.ceil(B / m),
        ]);
        if (dh0) be.dispatch1d('gru', 'scatter_carry', [Dg, idx, dh0], { n: B * H, H, carry: total * G, dh0_off: l * B * H }, B * H);
      }
      for (let t = T - 1; Gc && t >= 0; t--) {
        const bs = batchSizes[t]!,
          last = t === T - 1;
        be.dispatch1d(
          'gru',
          'cell_backward',
          [Gc, D ?? x, ws, HP, idx, dhn ?? x, Dg],
          {
            n: bs * H,
            H,
            row0: offsets[t]!,
            next_row0: last ? 0 : offsets[t + 1]!,
            next_bs: last ? 0 : batchSizes[t + 1]!,
            dhn_off: l * B * H,
            ...flags,
          },
          bs * H,
        );
        if (t > 0 || dh0) gemmAt({ t: Dg, off: offsets[t]! * G + 3 * H, ld: G, trans: false }, { t: w.wHh[l]!, off: 0, ld: H, trans: false }, Gc, bs, H, 3 * H);
      }
      if (dh0 && Gc) be.dispatch1d('gru', 'scatter_dh0', [Gc, Dg, idx, dh0], { n: B * H, H, dh0_off: l * B * H }, B * H);
      gemmAt({ t: Dg, off: 3 * H, ld: G, trans: true }, { t: HP, off: 0, ld: H, trans: false }, dw.wHh[l]!, 3 * H, H, total);
      gemmAt({ t: Dg, off: 0, ld: G, trans: true }, X, dw.wIh[l]!, 3 * H, E, total);
      sumColumns(Dg, total, G, 0, 3 * H, dw.bIh[l]!);
      sumColumns(Dg, total, G, 3 * H, 3 * H, dw.bHh[l]!);
      const dIn = l > 0 ? dX : dx;
      if (dIn) gemmAt({ t: Dg, off: 0, ld: G, trans: false }, { t: w.wIh[l]!, off: 0, ld: E, trans: false }, dIn, total, E, 3 * H);
    }
    for (const t of [idx, Dg, Gc, HP, dX]) t?.dispose();
  },
});
