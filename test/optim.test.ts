import { describe, expect, it } from 'vitest';
import { Adam, AdamW, Rng, tensor, type Tensor } from '../ts/index.js';
import '../ts/backend/reference/index.js';
import { expectClose, randn, values } from './harness.js';

function run(backend: string, Opt: typeof Adam, cfg: ConstructorParameters<typeof Adam>[1]): Float64Array[] {
  const rng = new Rng(3);
  const ps = [[4, 3], [7]].map((s) => {
    const t = tensor(randn(s, rng), s, { backend });
    t.requiresGrad = true;
    return t.keep();
  });
  const opt = new Opt(ps, cfg);
  for (let step = 0; step < 5; step++) {
    ps.forEach((p) => {
      p.grad = tensor(randn([...p.shape], rng, 3), p.shape, { backend }).keep();
    });
    opt.step();
    opt.zeroGrad();
  }
  const out = ps.map(values);
  opt.dispose();
  ps.forEach((p: Tensor) => p.dispose());
  return out;
}

describe('fused Adam / AdamW', () => {
  for (const [name, Opt, cfg] of [
    ['Adam', Adam, { lr: 0.01 }],
    ['Adam + L2 weight decay', Adam, { lr: 0.01, weightDecay: 0.1 }],
    ['AdamW + global-norm clipping', AdamW, { lr: 0.01, weightDecay: 0.1, maxGradNorm: 0.5 }],
  ] as const)
    it(`${name}: cpu matches the reference over 5 steps`, () => {
      const cpu = run('cpu', Opt, cfg),
        ref = run('reference', Opt, cfg);
      cpu.forEach((c, i) => expectClose(c, ref[i]!, 1e-6, 1e-5, `${name} parameter ${i}`));
    });

  it('one Adam step moves each weight by lr against the gradient sign (bias-corrected)', () => {
    const p = tensor([1, -1, 0.5], [3]);
    p.requiresGrad = true;
    p.grad = tensor([0.3, -2, 1e-3], [3]).keep();
    new Adam([p], { lr: 0.1 }).step();
    // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr·sign(g).
    expectClose(p.toArray() as Float32Array, [0.9, -0.9, 0.4], 1e-5, 0, 'first step');
  });

  it('clipping scales the gradient to the max norm and reports the norm', () => {
    const p = tensor([0, 0], [2]);
    p.requiresGrad = true;
    p.grad = tensor([3, 4], [2]).keep();
    const { gradNorm } = new AdamW([p], { lr: 0.1, weightDecay: 0, maxGradNorm: 1 }).step();
    expect(gradNorm).toBeCloseTo(5, 5);
  });

  // The kernels read the clip factor on the device and write nothing when it is NaN; the
  // host learns of it only from the norm it reads after the update was queued.
  for (const backend of ['cpu', 'reference'])
    it(`${backend}: a NaN or Inf gradient throws, and the weights and moments stay as they were (step and stepAsync)`, async () => {
      for (const bad of [NaN, Infinity])
        for (const async of [false, true]) {
          const p = tensor([1, -1, 0.5], [3], { backend }).keep();
          p.requiresGrad = true;
          const opt = new AdamW([p], { lr: 0.1, maxGradNorm: 1 });
          p.grad = tensor([0.3, -2, 1e-3], [3], { backend }).keep();
          opt.step();
          opt.zeroGrad();
          const weights = values(p),
            { moments } = await opt.stateDict();
          p.grad = tensor([0.3, bad, 1e-3], [3], { backend }).keep();
          const error = new RegExp(`gradient norm is ${bad}.*the weights were not updated`);
          if (async) await expect(opt.stepAsync()).rejects.toThrow(error);
          else expect(() => opt.step()).toThrow(error);
          expect(values(p)).toEqual(weights);
          expect((await opt.stateDict()).moments).toEqual(moments);
          opt.zeroGrad();
          opt.dispose();
          p.dispose();
        }
    });

  it('maxGradNorm must be a non-negative number', () => {
    expect(() => new AdamW([], { maxGradNorm: -1 })).toThrow(/maxGradNorm must be a non-negative number/);
    expect(() => new AdamW([], { maxGradNorm: NaN })).toThrow(/maxGradNorm must be a non-negative number/);
    expect(() => new AdamW([], { maxGradNorm: Infinity })).not.toThrow();
  });
});
