import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { PackedLayout } from '../sequence/layout.js';
import { tensor, type Tensor } from '../tensor.js';
import { alloc, checkFloat, checkRank, fail, fmt } from './check.js';
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
  if (!Number.isInteger(length) || length < layout.maxLength) fail('unpackPadded', `length ${length} is shorter than the longest sequence (${layout.maxLength})`);
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
