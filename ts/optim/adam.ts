import { noGrad } from '../autograd.js';
import { kernel } from '../backend/registry.js';
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

/** √(Σ x) in float64, in order. */
function sqrtOfSum(x: Float32Array): number {
  return Math.sqrt(x.reduce((a, b) => a + b, 0));
}

/**
 * Adam (L2 weight decay added to the gradient) — one fused kernel per parameter updates
 * p, m and v in a single pass. AdamW below decouples the decay.
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

  constructor(readonly params: readonly Tensor[], cfg: AdamConfig = {}) {
    this.lr = cfg.lr ?? 1e-3;
    [this.beta1, this.beta2] = cfg.betas ?? [0.9, 0.999];
    this.eps = cfg.eps ?? 1e-8;
    this.weightDecay = cfg.weightDecay ?? 0;
    this.maxGradNorm = cfg.maxGradNorm;
    for (const [name, v] of [['lr', this.lr], ['beta1', this.beta1], ['beta2', this.beta2], ['eps', this.eps], ['weightDecay', this.weightDecay]] as const)
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`${this.constructor.name}: ${name} must be a finite non-negative number, got ${v}`);
  }

  /** Global L2 norm of all gradients (backends read synchronously: cpu). */
  gradNorm(): number {
    const ss = this.sumsOfSquares();
    if (!ss) return 0;
    try {
      return sqrtOfSum(ss.toArray() as Float32Array);
    } finally {
      ss.dispose();
    }
  }

  /** gradNorm() on any backend (webgpu reads only asynchronously). */
  async gradNormAsync(): Promise<number> {
    const ss = this.sumsOfSquares();
    if (!ss) return 0;
    try {
      return sqrtOfSum((await ss.data()) as Float32Array);
    } finally {
      ss.dispose();
    }
  }

  /** Each gradient's sum of squares, computed on its device and gathered into one tensor for a single read; null without gradients. */
  private sumsOfSquares(): Tensor | null {
    const parts = this.params.flatMap((p) => {
      if (!p.grad) return [];
      const s = Tensor.empty([1, 1], 'float32', p.backend);
      kernel('sumSquares', p.grad)(p.grad, s);
      return [s];
    });
    if (!parts.length) return null;
    const all = noGrad(() => concat(parts));
    parts.forEach((s) => s.dispose());
    return all;
  }

  /** Applies one update from the accumulated gradients; returns the pre-clip gradient norm. */
  step(): { gradNorm: number } {
    return this.update(this.gradNorm());
  }

  /** step() for backends read asynchronously (webgpu); works on every backend. */
  async stepAsync(): Promise<{ gradNorm: number }> {
    return this.update(await this.gradNormAsync());
  }

  /** The update itself, given the gradient norm (which also catches NaN/Inf gradients before they reach the weights). */
  private update(norm: number): { gradNorm: number } {
    this.stepCount++;
    if (!Number.isFinite(norm)) throw new Error(`${this.constructor.name}.step: gradient norm is ${norm}; a NaN/Inf reached the gradients (setCheckFinite(true) names the op)`);
    const gradScale = this.maxGradNorm !== undefined && norm > this.maxGradNorm ? this.maxGradNorm / (norm + 1e-6) : 1;
    noGrad(() => {
      for (const p of this.params) {
        if (!p.grad) continue;
        const slot = this.slot(p);
        kernel('adamStep', p)(p, p.grad, slot.m, slot.v, {
          lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps,
          weightDecay: this.weightDecay, decoupled: this.decoupled, step: this.stepCount, gradScale,
        });
      }
    });
    return { gradNorm: norm };
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
      moments: await Promise.all(this.params.map(async (p) => {
        const s = this.slots.get(p);
        return s ? { m: await s.m.float32Data(), v: await s.v.float32Data() } : null;
      })),
    };
  }

  loadStateDict(state: { step: number; moments: ({ m: Float32Array; v: Float32Array } | null)[] }): void {
    if (state.moments.length !== this.params.length)
      throw new Error(`${this.constructor.name}.loadStateDict: state has ${state.moments.length} parameters, optimizer has ${this.params.length}`);
    this.stepCount = state.step;
    state.moments.forEach((mv, i) => {
      if (!mv) return;
      const p = this.params[i]!;
      if (mv.m.length !== p.size) throw new Error(`${this.constructor.name}.loadStateDict: moments of parameter ${i} hold ${mv.m.length} values, the parameter ${p.size}`);
      const s = this.slot(p);
      p.backend.upload(s.m.storage, 'float32', mv.m);
      p.backend.upload(s.v.storage, 'float32', mv.v);
    });
  }

  dispose(): void {
    for (const s of this.slots.values()) { s.m.dispose(); s.v.dispose(); }
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
