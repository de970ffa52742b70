// What the training loop, the distillation and the evaluation need of a sequential
// recommender: packed hidden states per layer and the item table that scores them.
import type { LayerOptions } from '../nn/layers.js';
import type { Module } from '../nn/module.js';
import type { PackedLayout } from '../sequence/layout.js';
import type { Tensor } from '../tensor.js';
import { Gru4Rec } from './gru4rec.js';
import { TransformerRecommender } from './sasrec.js';

export type RecModelKind = 'sasrec' | 'bert4rec' | 'gru4rec';
export const REC_MODELS: readonly RecModelKind[] = ['sasrec', 'bert4rec', 'gru4rec'];

export interface RecModelConfig {
  kind: RecModelKind;
  /** Item ids are 1 … items − 1 (0 is padding). */
  items: number;
  hidden: number;
  /** Transformer blocks (GRU4Rec: GRU layers). */
  blocks: number;
  heads: number;
  maxLen: number;
  dropout: number;
  /**
   * Transformers: dropout on the attention weights (pmixer's SASRec and RecBole use the rate of
   * `dropout`; on Beauty at 0.5 it cost validation NDCG@10 here: 0.0707 against 0.0719, seed 1).
   */
  attentionDropout: number;
  ffnMultiplier: number;
  activation: 'gelu' | 'relu';
}

export interface SequenceRecommender extends Module {
  readonly cfg: RecModelConfig;
  /** Hidden layers a distillation may read: hidden[0 … layers]. */
  readonly layers: number;
  /** Scores = output · itemTableᵀ; rows past cfg.items (BERT4Rec's mask token) are not items. */
  readonly itemTable: Tensor;
  /** ids, positions: int32 (total), packed → output (total×hidden) and hidden[0 … layers] (total×hidden each). */
  encode(ids: Tensor, positions: Tensor, layout: PackedLayout): { output: Tensor; hidden: Tensor[] };
}

export function createRecommender(cfg: RecModelConfig, opts: LayerOptions = {}): SequenceRecommender {
  if (cfg.kind === 'gru4rec') return new Gru4Rec(cfg, opts);
  return new TransformerRecommender(cfg, cfg.kind === 'sasrec', opts);
}

/** BERT4Rec's mask token: the row after the last item. */
export const maskToken = (cfg: RecModelConfig): number | undefined => (cfg.kind === 'bert4rec' ? cfg.items : undefined);
