import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import { PackedLayout } from '../sequence/layout.js';
import { tensor, type Tensor } from '../tensor.js';
import { reshape } from './arith.js';
import { alloc, checkFloat, checkRank, fail, fmt } from './check.js';
import { concat } from './concat.js';
import { embedding } from './embedding.js';

/** padded (B×T×E, batch-first, T ≥ the longest sequence) → packed (total×E). */
export function packPadded(padded: Tensor, layout: PackedLayout): Tensor {
  checkFloat('packPadded', 'padded', padded);
  checkRank('packPadded', 'padded', padded, 3);
  const [B, T, E] = padded.shape as [number, number, number];
  if (B !== layout.batch || T < layout.maxLength)
    fail('packPadded', `padded ${fmt(padded.shape)} must be [${layout.batch}, ≥ ${layout.maxLength}, E] for this layout`);
  const out = alloc(padded, [layout.total, E]);
  kernel('packPadded', padded)(padded, layout, out);
  record('packPadded', [padded], [out], ([g]) => {
    const d = alloc(g!, padded.shape);
    kernel('unpackPadded', g!)(g!, layout, d);
    return [d];
  });
  return out;
}

/** packed (total×E) → padded (B×T×E, zeros after each sequence's end); T defaults to the longest. */
export function unpackPadded(packed: Tensor, layout: PackedLayout, length = layout.maxLength): Tensor {
  checkFloat('unpackPadded', 'packed', packed);
  checkRank('unpackPadded', 'packed', packed, 2);
  if (packed.shape[0] !== layout.total) fail('unpackPadded', `packed ${fmt(packed.shape)} must have ${layout.total} rows for this layout`);
  if (!Number.isInteger(length) || length < layout.maxLength)
    fail('unpackPadded', `length ${length} is shorter than the longest sequence (${layout.maxLength})`);
  const out = alloc(packed, [layout.batch, length, packed.shape[1]!]);
  kernel('unpackPadded', packed)(packed, layout, out);
  record('unpackPadded', [packed], [out], ([g]) => {
    const d = alloc(g!, packed.shape);
    kernel('packPadded', g!)(g!, layout, d);
    return [d];
  });
  return out;
}

/** The row of each sequence's last step: packed (total×D) → B×D, in input order. */
export function lastStep(packed: Tensor, layout: PackedLayout): Tensor {
  checkFloat('lastStep', 'packed', packed);
  checkRank('lastStep', 'packed', packed, 2);
  if (packed.shape[0] !== layout.total) fail('lastStep', `packed ${fmt(packed.shape)} must have ${layout.total} rows for this layout`);
  const rows = tensor(layout.lastRows(), [layout.batch], { backend: packed.backend });
  const out = embedding(packed, rows);
  if (!out.node) rows.dispose(); // when recorded, the node's backward still reads the rows
  return out;
}

/**
 * Packs a list of sequences (each len_i×E, len_i ≥ 1) into one packed tensor (total×E) and
 * its layout: the rows are laid end to end, then gathered into packed order (differentiable).
 */
export function packList(seqs: readonly Tensor[]): { packed: Tensor; layout: PackedLayout } {
  if (seqs.length === 0) fail('packList', 'needs at least one sequence');
  seqs.forEach((s, i) => {
    checkFloat('packList', `sequence ${i}`, s);
    if (s.rank !== 2 || s.shape[1] !== seqs[0]!.shape[1]) fail('packList', `sequence ${i} ${fmt(s.shape)} must be [length, ${seqs[0]!.shape[1]}]`);
  });
  const layout = PackedLayout.fromLengths(seqs.map((s) => s.shape[0]!));
  const E = seqs[0]!.shape[1]!;
  const rows = reshape(concat(seqs.map((s) => reshape(s, [1, s.size]))), [layout.total, E]);
  const start = new Int32Array(seqs.length);
  for (let b = 1; b < seqs.length; b++) start[b] = start[b - 1]! + layout.lengths[b - 1]!;
  const order = new Int32Array(layout.total);
  for (let b = 0; b < seqs.length; b++) for (let t = 0; t < layout.lengths[b]!; t++) order[layout.row(b, t)] = start[b]! + t;
  const index = tensor(order, [layout.total], { backend: rows.backend });
  const packed = embedding(rows, index);
  if (!packed.node) index.dispose();
  return { packed, layout };
}
