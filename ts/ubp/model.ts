// The GRU autoencoder of Universal Behavioral Profiles (System 1):
// one embedding table per token field, summed (or concatenated); a multi-layer GRU encoder
// whose last layer's final state is the latent (the user embedding); a GRU decoder started
// from the encoder's final states whose input at each step is the latent plus the previous
// token's embedding (teacher forcing); one linear head per field; loss = Σ over fields of the
// full-softmax cross-entropy of the next token.
import { GRU } from '../nn/gru.js';
import { Embedding, Linear, type LayerOptions } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import * as ops from '../ops/index.js';
import { PackedLayout } from '../sequence/layout.js';
import { tensor, type Tensor } from '../tensor.js';

export interface UbpConfig {
  fields: string[];
  /** Token ids per field are < vocab[field]. */
  vocab: Record<string, number>;
  /** Embedding size per field. */
  embed: number;
  /** Field embeddings summed (input size = embed) or concatenated (embed × fields). */
  combine: 'sum' | 'concat';
  hidden: number;
  layers: number;
  dropout: number;
}

/** The published configurations, and a small one for demos and tests. */
export const UBP_CONFIGS = {
  wide: { fields: ['event', 'category', 'price', 'sku', 'url', 'week'], embed: 512, combine: 'sum', hidden: 512, layers: 3, dropout: 0.1 },
  dayEvent: { fields: ['day', 'event'], embed: 64, combine: 'concat', hidden: 128, layers: 2, dropout: 0.1 },
  small: { fields: ['event', 'category', 'price', 'sku', 'url', 'week', 'day'], embed: 64, combine: 'sum', hidden: 64, layers: 1, dropout: 0 },
} as const satisfies Record<string, Omit<UbpConfig, 'vocab'>>;

/** A batch of token sequences (start … end), packed, per field. */
export interface TokenBatch {
  layout: PackedLayout;
  ids: Record<string, Int32Array>;
}

export class UbpAutoencoder extends Module {
  readonly embeds: Embedding[];
  readonly encoder: GRU;
  readonly decoder: GRU;
  readonly heads: Linear[];
  readonly inputSize: number;

  constructor(
    readonly cfg: UbpConfig,
    opts: LayerOptions = {},
  ) {
    super();
    for (const f of cfg.fields) if (!(cfg.vocab[f]! > 0)) throw new Error(`UbpAutoencoder: no vocabulary size for field '${f}'`);
    this.inputSize = cfg.combine === 'sum' ? cfg.embed : cfg.embed * cfg.fields.length;
    if (this.inputSize !== cfg.hidden)
      throw new Error(`UbpAutoencoder: the decoder adds the latent (${cfg.hidden}) to the token input (${this.inputSize}); they must be equal`);
    this.embeds = cfg.fields.map((f) => this.child(`embed_${f}`, new Embedding(cfg.vocab[f]!, cfg.embed, opts)));
    const gru = { ...opts, layers: cfg.layers, dropout: cfg.dropout };
    this.encoder = this.child('encoder', new GRU(this.inputSize, cfg.hidden, gru));
    this.decoder = this.child('decoder', new GRU(this.inputSize, cfg.hidden, gru));
    this.heads = cfg.fields.map((f) => this.child(`head_${f}`, new Linear(cfg.hidden, cfg.vocab[f]!, opts)));
  }

  /** Packed ids per field → packed inputs (total × inputSize). */
  private inputs(ids: Record<string, Int32Array>, total: number): Tensor {
    const parts = this.cfg.fields.map((f, k) => {
      const t = ids[f];
      if (!t || t.length !== total) throw new Error(`UbpAutoencoder: field '${f}' needs ${total} packed ids, got ${t?.length ?? 'none'}`);
      return this.embeds[k]!.forward(tensor(t));
    });
    return this.cfg.combine === 'sum' ? parts.reduce((a, b) => ops.add(a, b)) : ops.concat(parts);
  }

  /** The encoder's final states (L×B×H); the last layer's is the latent. */
  encodeStates(batch: TokenBatch): Tensor {
    return this.encoder.forward(this.inputs(batch.ids, batch.layout.total), batch.layout).hn;
  }

  /** Latents (B×H, input order of the layout). */
  encode(batch: TokenBatch): Tensor {
    const hn = this.encodeStates(batch),
      { layers: L } = this.cfg,
      B = batch.layout.batch;
    return ops.embedding(ops.reshape(hn, [L * B, this.cfg.hidden]), tensor(Int32Array.from({ length: B }, (_, b) => (L - 1) * B + b)));
  }

  /** Σ over fields of the mean next-token cross-entropy, with teacher forcing. */
  loss(batch: TokenBatch): Tensor {
    const { layout } = batch,
      L = this.cfg.layers,
      B = layout.batch,
      H = this.cfg.hidden;
    if (layout.lengths.some((n) => n < 2)) throw new Error('UbpAutoencoder: every sequence needs at least a start and an end token');
    const hn = this.encodeStates(batch);
    const latent = ops.embedding(ops.reshape(hn, [L * B, H]), tensor(Int32Array.from({ length: B }, (_, b) => (L - 1) * B + b)));
    // Decoder steps: tokens 0..n-2 in, tokens 1..n-1 out.
    const dec = PackedLayout.fromLengths(Array.from(layout.lengths, (n) => n - 1));
    const shift = (ids: Int32Array, by: number): Int32Array => {
      const out = new Int32Array(dec.total);
      for (let b = 0; b < B; b++) for (let t = 0; t < dec.lengths[b]!; t++) out[dec.row(b, t)] = ids[layout.row(b, t + by)]!;
      return out;
    };
    const prevIds = Object.fromEntries(this.cfg.fields.map((f) => [f, shift(batch.ids[f]!, 0)]));
    const owner = new Int32Array(dec.total);
    for (let b = 0; b < B; b++) for (let t = 0; t < dec.lengths[b]!; t++) owner[dec.row(b, t)] = b;
    const input = ops.add(this.inputs(prevIds, dec.total), ops.embedding(latent, tensor(owner)));
    const out = this.decoder.forward(input, dec, hn).output;
    return this.cfg.fields
      .map((f, k) => ops.softmaxCrossEntropy(this.heads[k]!.forward(out), tensor(shift(batch.ids[f]!, 1)), { ignoreIndex: 0 }))
      .reduce((a, b) => ops.add(a, b));
  }
}
