/**
 * The layout of a packed batch of variable-length sequences (as PyTorch's PackedSequence):
 * sequences sorted longest first (ties keep their input order), stored time-major, so step
 * t holds one row for each of the batchSizes[t] sequences still running. A GRU over it never
 * computes on padding.
 */
export class PackedLayout {
  /** Rows per step: how many sequences are longer than t (non-increasing). */
  readonly batchSizes: Int32Array;
  /** sortedIndices[i]: the input index of the i-th longest sequence. */
  readonly sortedIndices: Int32Array;
  /** unsortedIndices[b]: the sorted position of input sequence b. */
  readonly unsortedIndices: Int32Array;
  /** Lengths in input order. */
  readonly lengths: Int32Array;
  /** offsets[t]: the first packed row of step t; offsets[maxLength] = total. */
  readonly offsets: Int32Array;
  readonly total: number;
  readonly batch: number;
  readonly maxLength: number;

  private constructor(lengths: Int32Array) {
    this.lengths = lengths;
    this.batch = lengths.length;
    const order = Array.from(lengths.keys()).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
    this.sortedIndices = Int32Array.from(order);
    this.unsortedIndices = new Int32Array(this.batch);
    order.forEach((b, i) => {
      this.unsortedIndices[b] = i;
    });
    this.maxLength = this.batch ? lengths[order[0]!]! : 0;
    this.batchSizes = new Int32Array(this.maxLength);
    for (const len of lengths) for (let t = 0; t < len; t++) this.batchSizes[t]!++;
    this.offsets = new Int32Array(this.maxLength + 1);
    for (let t = 0; t < this.maxLength; t++) this.offsets[t + 1] = this.offsets[t]! + this.batchSizes[t]!;
    this.total = this.offsets[this.maxLength]!;
  }

  /** Every length must be an integer ≥ 1; the error names the first that is not. */
  static fromLengths(lengths: ArrayLike<number>): PackedLayout {
    if (lengths.length === 0) throw new RangeError('PackedLayout: a packed batch needs at least one sequence');
    const out = new Int32Array(lengths.length);
    for (let b = 0; b < lengths.length; b++) {
      const n = lengths[b]!;
      if (!Number.isInteger(n) || n < 1 || n > 0x7fffffff)
        throw new RangeError(`PackedLayout: sequence ${b} has length ${n}; every sequence needs at least one step`);
      out[b] = n;
    }
    return new PackedLayout(out);
  }

  /** Packed row of step t of input sequence b (t < lengths[b]). */
  row(b: number, t: number): number {
    return this.offsets[t]! + this.unsortedIndices[b]!;
  }

  /** Packed row of each sequence's last step, in input order. */
  lastRows(): Int32Array {
    return Int32Array.from(this.lengths, (len, b) => this.row(b, len - 1));
  }

  /** Packs a list of id sequences (host data) into one time-major array. */
  static packIds(seqs: readonly ArrayLike<number>[]): { ids: Int32Array; layout: PackedLayout } {
    const layout = PackedLayout.fromLengths(seqs.map((s) => s.length));
    const ids = new Int32Array(layout.total);
    seqs.forEach((s, b) => {
      for (let t = 0; t < s.length; t++) ids[layout.row(b, t)] = s[t]!;
    });
    return { ids, layout };
  }
}
