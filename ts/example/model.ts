import { Dropout, Embedding, LayerNorm, Linear, type LayerOptions } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';

export interface NextEventConfig {
  vocab: number;
  order: number;
  embed: number;
  hidden: number;
  dropout: number;
}

/**
 * The example model: embeddings of the last `order` events, concatenated → Linear → GELU →
 * LayerNorm → Dropout → Linear → logits over the next event.
 */
export class NextEventModel extends Module {
  readonly embed: Embedding;
  readonly hidden: Linear;
  readonly norm: LayerNorm;
  readonly drop: Dropout;
  readonly head: Linear;

  constructor(
    readonly cfg: NextEventConfig,
    opts: LayerOptions = {},
  ) {
    super();
    this.embed = this.child('embed', new Embedding(cfg.vocab, cfg.embed, opts));
    this.hidden = this.child('hidden', new Linear(cfg.order * cfg.embed, cfg.hidden, opts));
    this.norm = this.child('norm', new LayerNorm(cfg.hidden, 1e-5, opts));
    this.drop = this.child('drop', new Dropout(cfg.dropout));
    this.head = this.child('head', new Linear(cfg.hidden, cfg.vocab, opts));
  }

  /** context: int32 (batch×order) → logits (batch×vocab). */
  forward(context: Tensor): Tensor {
    const e = this.embed.forward(context); // batch×order×embed
    const flat = ops.reshape(e, [context.shape[0]!, this.cfg.order * this.cfg.embed]);
    const h = this.drop.forward(this.norm.forward(ops.gelu(this.hidden.forward(flat))));
    return this.head.forward(h);
  }

  loss(context: Tensor, next: Tensor): Tensor {
    return ops.softmaxCrossEntropy(this.forward(context), next);
  }
}
