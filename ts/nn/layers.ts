import type { Backend } from '../backend/backend.js';
import * as ops from '../ops/index.js';
import { globalRng, type Rng } from '../rng.js';
import type { Tensor } from '../tensor.js';
import { Module, initTensor } from './module.js';

export interface LayerOptions {
  rng?: Rng;
  backend?: Backend;
}

/** y = x·Wᵀ + b, W out×in, initialised U(±1/√in) as torch.nn.Linear. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LayerOptions & { bias?: boolean } = {},
  ) {
    super();
    const rng = opts.rng ?? globalRng(),
      k = 1 / Math.sqrt(inFeatures);
    this.weight = this.param(
      'weight',
      initTensor([outFeatures, inFeatures], () => (2 * rng.uniform() - 1) * k, opts.backend),
    );
    this.bias =
      opts.bias === false
        ? null
        : this.param(
            'bias',
            initTensor([outFeatures], () => (2 * rng.uniform() - 1) * k, opts.backend),
          );
  }
  forward(x: Tensor): Tensor {
    return ops.linear(x, this.weight, this.bias);
  }
}

/** A V×E table of vectors looked up by int32 ids, initialised N(0, 1) as torch.nn.Embedding. */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(
    readonly count: number,
    readonly dim: number,
    opts: LayerOptions = {},
  ) {
    super();
    const rng = opts.rng ?? globalRng();
    this.weight = this.param(
      'weight',
      initTensor([count, dim], () => rng.normal(), opts.backend),
    );
  }
  forward(ids: Tensor): Tensor {
    return ops.embedding(this.weight, ids);
  }
}

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
    opts: LayerOptions = {},
  ) {
    super();
    this.weight = this.param(
      'weight',
      initTensor([dim], () => 1, opts.backend),
    );
    this.bias = this.param(
      'bias',
      initTensor([dim], () => 0, opts.backend),
    );
  }
  forward(x: Tensor): Tensor {
    return ops.layerNorm(x, this.weight, this.bias, this.eps);
  }
}

export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return ops.dropout(x, this.p, { training: this.training });
  }
}
