import { GRU } from '../nn/gru.js';
import { Dropout, LayerNorm, type LayerOptions } from '../nn/layers.js';
import { Module, initTensor } from '../nn/module.js';
import * as ops from '../ops/index.js';
import { globalRng } from '../rng.js';
import type { PackedLayout } from '../sequence/layout.js';
import type { Tensor } from '../tensor.js';
import type { RecModelConfig, SequenceRecommender } from './recommender.js';

/**
 * GRU4Rec with full-softmax cross-entropy (as in later GRU4Rec papers' "CE" variant): item
 * embeddings → dropout → the engine's fused multi-layer GRU over the packed batch → LayerNorm;
 * scores are the output times the item table (tied). Hidden layers: 0 = the embedded input,
 * 1 = the GRU's output.
 */
export class Gru4Rec extends Module implements SequenceRecommender {
  readonly items: Tensor;
  readonly gru: GRU;
  readonly norm: LayerNorm;
  readonly drop: Dropout;
  readonly layers = 1;

  constructor(
    readonly cfg: RecModelConfig,
    opts: LayerOptions = {},
  ) {
    super();
    const rng = opts.rng ?? globalRng(),
      d = cfg.hidden;
    this.items = this.param(
      'items',
      initTensor([cfg.items, d], () => rng.normal() / Math.sqrt(d), opts.backend),
    );
    this.gru = this.child('gru', new GRU(d, d, { ...opts, layers: cfg.blocks, dropout: cfg.dropout }));
    this.norm = this.child('norm', new LayerNorm(d, 1e-8, opts));
    this.drop = this.child('drop', new Dropout(cfg.dropout));
  }

  get itemTable(): Tensor {
    return this.items;
  }

  encode(ids: Tensor, _positions: Tensor, layout: PackedLayout): { output: Tensor; hidden: Tensor[] } {
    const x = this.drop.forward(ops.embedding(this.items, ids));
    const { output } = this.gru.forward(x, layout);
    return { output: this.norm.forward(this.drop.forward(output)), hidden: [x, output] };
  }
}
