import { noGrad } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { HostArray } from '../dtype.js';
import { concat } from '../ops/concat.js';
import { Tensor } from '../tensor.js';

export interface AdamConfig {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Clip gradients to this global L2 norm before the update (torch's clip_grad_norm_). */
  maxGradNorm?: number;
}

interface Slot {
  m: Tensor;
  v: Tensor;
}

/**
 * Adam (L2 weight decay added to the gradient) — one fused kernel call updates every
 * parameter's p, m and v in a single pass, clipped by a factor computed on the device (no host
 * read before the update). AdamW below decouples the decay.
 */
export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number | undefined;
  stepCount = 0;
  protected readonly decoupled: boolean = false;
  private readonly slots = new Map<Tensor, Slot>();

  constructor(
    readonly params: readonly Tensor[],
    cfg: AdamConfig = {},
  ) {
    this.lr = cfg.lr ?? 1e-3;
    [this.beta1, this.beta2] = cfg.betas ?? [0.9, 0.999];
    this.eps = cfg.eps ?? 1e-8;
    this.weightDecay = cfg.weightDecay ?? 0;
    this.maxGradNorm = cfg.maxGradNorm;
    for (const [name, v] of [
      ['lr', this.lr],
      ['beta1', this.beta1],
      ['beta2', this.beta2],
      ['eps', this.eps],
      ['weightDecay', this.weightDecay],
    ] as const)
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`${this.constructor.name}: ${name} must be a finite non-negative number, got ${v}`);
    if (this.maxGradNorm !== undefined && !(this.maxGradNorm >= 0))
      throw new RangeError(`${this.constructor.name}: maxGradNorm must be a non-negative number (Infinity: no clipping), got ${this.maxGradNorm}`);
  }

  /**
   * Applies one update from the accumulated gradients and returns the pre-clip global norm of
   * the gradients; reads the norm synchronously (cpu, cuda). When the norm is not finite (a NaN
   * or Inf in a gradient), it throws, and the weights and moments are as they were.
   */
  step(): { gradNorm: number } {
    const clip = this.queueUpdate();
    if (!clip) return { gradNorm: 0 };
    try {
      return this.checked(clip.toArray());
    } finally {
      clip.dispose();
    }
  }

  /** step() for backends read asynchronously (webgpu); works on every backend. */
  async stepAsync(): Promise<{ gradNorm: number }> {
    const clip = this.queueUpdate();
    if (!clip) return { gradNorm: 0 };
    try {
      return this.checked(await clip.data());
    } finally {
      clip.dispose();
    }
  }

  /**
   * Queues the whole update on the parameters' device, with no read in between: each
   * gradient's sum of squares, gradClip (the norm and the clip factor, into clip), then one
   * adamSteps over every parameter with a gradient, which reads the factor there and writes
   * nothing when it is not finite. Returns clip (2 floats: [norm, factor]), or null without
   * gradients.
   */
  private queueUpdate(): Tensor | null {
    this.stepCount++;
    const ps = this.params.filter((p) => p.grad);
    if (!ps.length) return null;
    return noGrad(() => {
      const ss = this.sumsOfSquares(ps);
      const clip = Tensor.empty([2], 'float32', ss.backend, false);
      kernel('gradClip', clip)(ss, this.maxGradNorm ?? Infinity, clip);
      ss.dispose();
      const slots = ps.map((p) => this.slot(p));
      kernel('adamSteps', clip)(
        ps,
        ps.map((p) => p.grad!),
        slots.map((s) => s.m),
        slots.map((s) => s.v),
        {
          lr: this.lr,
          beta1: this.beta1,
          beta2: this.beta2,
          eps: this.eps,
          weightDecay: this.weightDecay,
          decoupled: this.decoupled,
          step: this.stepCount,
        },
        clip,
      );
      return clip;
    });
  }

  /** Each gradient's sum of squares, computed on its device, gathered into one tensor (k floats). */
  private sumsOfSquares(ps: readonly Tensor[]): Tensor {
    const parts = ps.map((p) => {
      const s = Tensor.empty([1, 1], 'float32', p.backend);
      kernel('sumSquares', p.grad!)(p.grad!, s);
      return s;
    });
    const all = concat(parts);
    parts.forEach((s) => s.dispose());
    return all;
  }

  /** The step's result from clip's values [norm, factor]; throws when the norm is not finite. */
  private checked(clip: HostArray): { gradNorm: number } {
    const gradNorm = Number(clip[0]);
    if (!Number.isFinite(gradNorm))
      throw new Error(
        `${this.constructor.name}.step: gradient norm is ${gradNorm}; ` +
          'a NaN/Inf reached the gradients (setCheckFinite(true) names the op); the weights were not updated',
      );
    return { gradNorm };
  }

  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  private slot(p: Tensor): Slot {
    let s = this.slots.get(p);
    if (!s) {
      s = { m: Tensor.empty(p.shape, 'float32', p.backend).keep(), v: Tensor.empty(p.shape, 'float32', p.backend).keep() };
      this.slots.set(p, s);
    }
    return s;
  }

  /** Moments by parameter index, for checkpoints. */
  async stateDict(): Promise<{ step: number; moments: ({ m: Float32Array; v: Float32Array } | null)[] }> {
    return {
      step: this.stepCount,
      moments: await Promise.all(
        this.params.map(async (p) => {
          const s = this.slots.get(p);
          return s ? { m: await s.m.float32Data(), v: await s.v.float32Data() } : null;
        }),
      ),
    };
  }

  loadStateDict(state: { step: number; moments: ({ m: Float32Array; v: Float32Array } | null)[] }): void {
    if (state.moments.length !== this.params.length)
      throw new Error(`${this.constructor.name}.loadStateDict: state has ${state.moments.length} parameters, optimizer has ${this.params.length}`);
    this.stepCount = state.step;
    state.moments.forEach((mv, i) => {
      if (!mv) return;
      const p = this.params[i]!;
      if (mv.m.length !== p.size)
        throw new Error(`${this.constructor.name}.loadStateDict: moments of parameter ${i} hold ${mv.m.length} values, the parameter ${p.size}`);
      const s = this.slot(p);
      p.backend.upload(s.m.storage, 'float32', mv.m);
      p.backend.upload(s.v.storage, 'float32', mv.v);
    });
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}

/** AdamW: weight decay applied to the weights (p ← p·(1 − lr·wd)), not to the gradient. */
export class AdamW extends Adam {
  protected override readonly decoupled = true;
  constructor(params: readonly Tensor[], cfg: AdamConfig = {}) {
    super(params, { weightDecay: 0.01, ...cfg });
  }
}
