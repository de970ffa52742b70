// The RecSys Challenge 2025 metrics:
//   churn score       = AUROC
//   propensity score  = 0.8·AUROC + 0.1·novelty + 0.1·diversity, AUROC macro-averaged over
//                       every target label, as torchmetrics' multilabel AUROC (which the
//                       organisers use) does: a label with one class only in the validation
//                       window (no buyer of it, say) scores 0 and stays in the average
//   diversity = mean over users of the entropy (log2) of the L1-normalised sigmoid outputs,
//               divided by log2(#targets)
//   novelty   = (1 − mean over users of Σ_{10 highest predictions} sigmoid·popularity
//                ÷ Σ of the 10 largest popularities)^100

/**
 * Binary AUROC (Mann–Whitney U with average ranks for ties); NaN with only one class. The
 * scores are sorted by the typed array's own numeric sort (no comparator: the evaluation
 * scores 100 columns per epoch), and each positive's average rank found by binary search.
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`auroc: ${n} scores but ${labels.length} labels`);
  const sorted = Float64Array.from(scores).sort();
  /** The first index of `sorted` whose value is not below s (`above`: is above s). */
  const bound = (s: number, above: boolean): number => {
    let lo = 0,
      hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (above ? sorted[mid]! <= s : sorted[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let pos = 0,
    rankSum = 0;
  for (let i = 0; i < n; i++)
    if (labels[i]! > 0.5) {
      pos++;
      rankSum += (bound(scores[i]!, false) + bound(scores[i]!, true) + 1) / 2; // 1-based average rank of its tie group
    }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Macro AUROC over the columns of row-major users×labels matrices, the official way: a column
 * with one class only counts 0 (torchmetrics); `oneClass` counts such columns.
 */
export function macroAuroc(scores: Float32Array, labels: ArrayLike<number>, users: number, width: number): number {
  return macroAurocOf(scores, labels, users, width).auroc;
}

/** macroAuroc, and how many columns had one class only (each scored 0). */
export function macroAurocOf(scores: Float32Array, labels: ArrayLike<number>, users: number, width: number): { auroc: number; oneClass: number } {
  let sum = 0,
    oneClass = 0;
  const s = new Float32Array(users),
    l = new Float32Array(users);
  for (let j = 0; j < width; j++) {
    for (let i = 0; i < users; i++) {
      s[i] = scores[i * width + j]!;
      l[i] = labels[i * width + j]!;
    }
    const a = auroc(s, l);
    if (Number.isNaN(a)) oneClass++;
    else sum += a;
  }
  return { auroc: width ? sum / width : NaN, oneClass };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** logits: users×width. */
export function diversity(logits: Float32Array, users: number, width: number): number {
  if (width < 2) return 0;
  let total = 0;
  for (let i = 0; i < users; i++) {
    let z = 0;
    for (let j = 0; j < width; j++) z += sigmoid(logits[i * width + j]!);
    let h = 0;
    for (let j = 0; j < width; j++) {
      const p = sigmoid(logits[i * width + j]!) / z;
      if (p > 0) h -= p * Math.log2(p);
    }
    total += h / Math.log2(width);
  }
  return total / users;
}

/** logits: users×width; popularity: width. */
export function novelty(logits: Float32Array, popularity: ArrayLike<number>, users: number, width: number, k = 10): number {
  const top = Math.min(k, width);
  const best = Array.from(popularity)
    .sort((a, b) => b - a)
    .slice(0, top)
    .reduce((a, b) => a + b, 0);
  if (best <= 0) return 1;
  let total = 0;
  // Each user's `top` highest logits, highest first and equal ones in column order (as a
  // stable sort of the whole row would give them), kept by insertion: no sort of the row.
  const chosen = new Int32Array(top);
  for (let i = 0; i < users; i++) {
    const row = (j: number): number => logits[i * width + j]!;
    let kept = 0;
    for (let j = 0; j < width; j++) {
      const v = row(j);
      if (kept === top && !(v > row(chosen[top - 1]!))) continue;
      let at = Math.min(kept, top - 1);
      while (at > 0 && v > row(chosen[at - 1]!)) {
        chosen[at] = chosen[at - 1]!;
        at--;
      }
      chosen[at] = j;
      if (kept < top) kept++;
    }
    let sum = 0;
    for (let r = 0; r < kept; r++) sum += sigmoid(row(chosen[r]!)) * popularity[chosen[r]!]!;
    total += sum / best;
  }
  return (1 - total / users) ** 100;
}

export interface PropensityScores {
  auroc: number;
  /** Target labels with one class only in the scored window, each counted 0 in the AUROC. */
  oneClassLabels: number;
  novelty: number;
  diversity: number;
  score: number;
}

export function propensityScores(
  logits: Float32Array,
  labels: ArrayLike<number>,
  popularity: ArrayLike<number>,
  users: number,
  width: number,
): PropensityScores {
  const { auroc: a, oneClass } = macroAurocOf(logits, labels, users, width),
    n = novelty(logits, popularity, users, width),
    d = diversity(logits, users, width);
  return { auroc: a, oneClassLabels: oneClass, novelty: n, diversity: d, score: 0.8 * a + 0.1 * n + 0.1 * d };
}
