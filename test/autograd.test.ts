import { afterEach, describe, expect, it } from 'vitest';
import { backward, Linear, manualSeed, native, noGrad, ops, setCheckFinite, tensor, tidy, type Tensor } from '../ts/index.js';
import { expectClose } from './harness.js';

const param = (data: number[], shape: number[]): Tensor => {
  const t = tensor(data, shape);
  t.requiresGrad = true;
  return t.keep();
};

afterEach(() => setCheckFinite(false));

describe('autograd', () => {
  it('accumulates gradients across backward calls', () => {
    const x = param([1, 2, 3], [3]);
    for (let i = 0; i < 2; i++) tidy(() => backward(ops.sum(ops.mul(x, x))));
    expectClose(x.grad!.toArray() as Float32Array, [4, 8, 12], 0, 1e-6, 'twice 2x');
    x.grad!.dispose();
    x.dispose();
  });

  it('sums the gradients of an input used by several ops', () => {
    const x = param([0.5, -1], [2]);
    tidy(() => backward(ops.sum(ops.add(ops.scale(x, 3), ops.sigmoid(x)))));
    const s = [0.5, -1].map((v) => 1 / (1 + Math.exp(-v)));
    expectClose(
      x.grad!.toArray() as Float32Array,
      s.map((v) => 3 + v * (1 - v)),
      1e-6,
      1e-5,
      'fan-out',
    );
    x.dispose();
  });

  it('records nothing under noGrad', () => {
    const x = param([1, 2], [2]);
    const y = noGrad(() => ops.sum(ops.mul(x, x)));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(() => backward(y)).toThrow(/does not require grad/);
    y.dispose();
    x.dispose();
  });

  it('refuses a second backward through a freed graph', () => {
    const x = param([1, 2], [2]);
    const loss = ops.sum(ops.mul(x, x));
    backward(loss);
    expect(() => backward(loss)).toThrow(/backward\(\) called twice/);
    loss.dispose();
    x.dispose();
  });

  it('names a disposed tensor when it is used', () => {
    const x = tensor([1, 2], [2]);
    x.dispose();
    expect(() => ops.relu(x)).toThrow(/relu: x .*was disposed/);
    expect(() => x.toArray()).toThrow(/was disposed/);
  });

  it('checkFinite names the op that produced a NaN', () => {
    setCheckFinite(true);
    const x = param([1, Infinity], [2]);
    expect(() => tidy(() => ops.scale(x, 0))).toThrow(/op 'scale' produced NaN\/Inf in output 0 .* index 1/);
    x.dispose();
  });

  it('tidy frees every intermediate and keeps what is returned', () => {
    const before = native.stats().liveCount;
    const kept = tidy(() => {
      const a = tensor([1, 2, 3], [3]);
      const b = ops.relu(ops.scale(a, -1));
      return ops.add(b, a);
    });
    expect(native.stats().liveCount).toBe(before + 1);
    expectClose(kept.toArray() as Float32Array, [1, 2, 3], 0, 0, 'kept');
    kept.dispose();
    expect(native.stats().liveCount).toBe(before);
  });

  it('tidy frees what was created before an exception', () => {
    const before = native.stats().liveCount;
    expect(() =>
      tidy(() => {
        tensor([1, 2], [2]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(native.stats().liveCount).toBe(before);
  });

  it('a seeded run is reproducible (init and dropout)', () => {
    const run = (): number[] => {
      manualSeed(123);
      const lin = new Linear(4, 3);
      const out = tidy(() => Array.from(ops.dropout(lin.forward(tensor([1, 2, 3, 4], [1, 4])), 0.5).toArray() as Float32Array));
      lin.dispose();
      return out;
    };
    expect(run()).toEqual(run());
  });
});
