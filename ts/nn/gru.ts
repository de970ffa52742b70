import type { GruParams } from '../backend/registry.js';
import * as ops from '../ops/index.js';
import { globalRng } from '../rng.js';
import type { PackedLayout } from '../sequence/layout.js';
import type { Tensor } from '../tensor.js';
import type { LayerOptions } from './layers.js';
import { Module, initTensor } from './module.js';

/**
 * torch.nn.GRU over packed batches: parameters named and shaped as PyTorch's
 * (weight_ih_l0 3H×E, weight_hh_l0 3H×H, bias_ih_l0, bias_hh_l0, …), initialised U(±1/√H),
 * so a state dict moves between the two unchanged.
 */
export class GRU extends Module {
  readonly params: GruParams;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly opts: LayerOptions & { layers?: number; dropout?: number } = {},
  ) {
    super();
    const L = opts.layers ?? 1,
      H = hiddenSize,
      rng = opts.rng ?? globalRng(),
      k = 1 / Math.sqrt(H);
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`GRU: layers must be an integer ≥ 1, got ${L}`);
    const make = (name: string, shape: number[]): Tensor =>
      this.param(
        name,
        initTensor(shape, () => (2 * rng.uniform() - 1) * k, opts.backend),
      );
    const wIh: Tensor[] = [],
      wHh: Tensor[] = [],
      bIh: Tensor[] = [],
      bHh: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      wIh.push(make(`weight_ih_l${l}`, [3 * H, l === 0 ? inputSize : H]));
      wHh.push(make(`weight_hh_l${l}`, [3 * H, H]));
      bIh.push(make(`bias_ih_l${l}`, [3 * H]));
      bHh.push(make(`bias_hh_l${l}`, [3 * H]));
    }
    this.params = { wIh, wHh, bIh, bHh };
  }

  /** x: packed (total×E) → output (total×H), hn (L×B×H). */
  forward(x: Tensor, layout: PackedLayout, h0?: Tensor | null): { output: Tensor; hn: Tensor } {
    return ops.gru(x, layout, this.params, { h0, dropout: this.opts.dropout ?? 0, training: this.training });
  }
}
