// Workspace sizes of the layouts that the cpu, reference and webgpu kernels share. Each
// backend registers its own size kernels (gruWorkspaceFloats, attentionProbFloats); one whose
// kernels keep these layouts registers these functions.
import type { PackedLayout } from '../sequence/layout.js';

/**
 * Floats of a GRU forward's workspace: the outputs of the layers below the top; with `save`
 * (a backward follows) every layer's gates; with dropout each upper layer's dropped input
 * and mask. Layout: [gates][lower outputs][dropped, mask per upper layer].
 */
export function gruLayoutFloats(layers: number, total: number, hidden: number, save: boolean, dropout: boolean): number {
  return (save ? layers * total * 4 * hidden : 0) + (layers - 1) * total * hidden + (dropout ? (layers - 1) * total * 2 * hidden : 0);
}

/** Floats of the softmax an attention forward keeps for backward: heads·L² per sequence. */
export function attentionLayoutFloats(layout: PackedLayout, heads: number): number {
  let n = 0;
  for (const L of layout.lengths) n += heads * L * L;
  return n;
}
