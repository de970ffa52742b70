import { Rng } from '../rng.js';

/**
 * A synthetic event source with a known optimum: given the previous `order` tokens, the next
 * one is a fixed (random) successor with probability q, and uniform over the V tokens
 * otherwise. Its conditional entropy is the lowest cross-entropy any model can reach.
 */
export class MarkovSource {
  private readonly table: Int32Array;

  constructor(
    readonly vocab: number,
    readonly order: number,
    readonly q: number,
    seed = 1,
  ) {
    if (!Number.isInteger(vocab) || vocab < 2) throw new RangeError(`MarkovSource: vocab must be an integer ≥ 2, got ${vocab}`);
    if (!Number.isInteger(order) || order < 1) throw new RangeError(`MarkovSource: order must be an integer ≥ 1, got ${order}`);
    if (!(q >= 0 && q <= 1)) throw new RangeError(`MarkovSource: q must be in [0, 1], got ${q}`);
    const rng = new Rng(seed);
    this.table = new Int32Array(vocab ** order).map(() => rng.int(vocab));
  }

  /** The entropy floor, in nats. */
  entropy(): number {
    const V = this.vocab,
      pTop = this.q + (1 - this.q) / V,
      pRest = (1 - this.q) / V;
    return -(pTop * Math.log(pTop)) - (pRest > 0 ? (V - 1) * pRest * Math.log(pRest) : 0);
  }

  /** A batch: contexts (batch×order, int32) and next tokens (batch, int32). */
  batch(size: number, rng: Rng): { context: Int32Array; next: Int32Array } {
    const context = new Int32Array(size * this.order),
      next = new Int32Array(size);
    for (let b = 0; b < size; b++) {
      let key = 0;
      for (let k = 0; k < this.order; k++) {
        const t = rng.int(this.vocab);
        context[b * this.order + k] = t;
        key = key * this.vocab + t;
      }
      next[b] = rng.uniform() < this.q ? this.table[key]! : rng.int(this.vocab);
    }
    return { context, next };
  }
}
