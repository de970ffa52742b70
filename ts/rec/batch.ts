// Training and scoring batches for the sequential recommenders, packed (ts/sequence/layout.ts)
// so no model computes on padding. A window is the last `maxLen` items of a sequence;
// positions are aligned to its end (the newest item is always at maxLen − 1), as where SASRec
// and BERT4Rec pad on the left: a position embedding then says how recent an item is, the
// same for a short history as for a long one.
import { PackedLayout } from '../sequence/layout.js';
import type { Rng } from '../rng.js';

/** Host arrays of one packed batch (row = layout.row(b, t)). */
export interface RecBatch {
  layout: PackedLayout;
  /** Input item per row (BERT4Rec: the mask token where masked). */
  ids: Int32Array;
  positions: Int32Array;
  /** The item to predict at each row, or IGNORE. */
  targets: Int32Array;
  /** The user (index into the dataset) of each sequence, in input order. */
  users: Int32Array;
}

export const IGNORE = -100;

function pack(
  windows: Int32Array[],
  users: number[],
  maxLen: number,
  targetOf: (b: number, t: number, w: Int32Array) => number,
  idOf?: (b: number, t: number, w: Int32Array) => number,
): RecBatch {
  const { ids, layout } = PackedLayout.packIds(windows);
  const positions = new Int32Array(layout.total),
    targets = new Int32Array(layout.total);
  windows.forEach((w, b) => {
    for (let t = 0; t < w.length; t++) {
      const r = layout.row(b, t);
      positions[r] = maxLen - w.length + t;
      targets[r] = targetOf(b, t, w);
      if (idOf) ids[r] = idOf(b, t, w);
    }
  });
  return { layout, ids, positions, targets, users: Int32Array.from(users) };
}

/**
 * Next-item batches (SASRec, GRU4Rec): each user's last maxLen + 1 training items give the
 * input (all but the last) and the target at every position (the item after it).
 */
export function nextItemBatch(train: readonly Int32Array[], users: readonly number[], maxLen: number): RecBatch {
  const windows = users.map((u) => train[u]!.subarray(Math.max(0, train[u]!.length - maxLen - 1)));
  return pack(
    windows.map((w) => w.subarray(0, w.length - 1)),
    [...users],
    maxLen,
    (b, t) => windows[b]![t + 1]!,
  );
}

/**
 * Masked-item batches (BERT4Rec): each user's last maxLen training items, each replaced by
 * the mask token with probability maskProb (at least one per sequence); targets are the
 * masked items, IGNORE elsewhere.
 */
export function maskedItemBatch(
  train: readonly Int32Array[],
  users: readonly number[],
  maxLen: number,
  maskToken: number,
  maskProb: number,
  rng: Rng,
): RecBatch {
  const windows = users.map((u) => train[u]!.subarray(Math.max(0, train[u]!.length - maxLen)));
  const masked = windows.map((w) => {
    const m = Array.from(w, () => rng.uniform() < maskProb);
    if (!m.some(Boolean)) m[rng.int(w.length)] = true;
    return m;
  });
  return pack(
    windows,
    [...users],
    maxLen,
    (b, t, w) => (masked[b]![t] ? w[t]! : IGNORE),
    (b, t, w) => (masked[b]![t] ? maskToken : w[t]!),
  );
}

/**
 * Scoring batches: the last maxLen items of each history (BERT4Rec appends the mask token
 * and drops the oldest item so the prediction slot fits); the model's hidden state at each
 * sequence's last row scores every item.
 */
export function scoringBatch(histories: readonly Int32Array[], users: readonly number[], maxLen: number, maskToken?: number): RecBatch {
  const windows = histories.map((h) => {
    if (maskToken === undefined) return h.subarray(Math.max(0, h.length - maxLen));
    const w = new Int32Array(Math.min(h.length, maxLen - 1) + 1);
    w.set(h.subarray(h.length - (w.length - 1)));
    w[w.length - 1] = maskToken;
    return w;
  });
  return pack(windows, [...users], maxLen, () => IGNORE);
}
