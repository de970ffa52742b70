import { describe, expect, it } from 'vitest';
import { GRU, kernel, native, noGrad, ops, PackedLayout, Rng, tensor, tidy, type GruParams, type Tensor } from '../ts/index.js';
import '../ts/backend/reference/index.js';
import { analyticGrads, dispose, expectClose, makeInputs, randn, values, type InputSpec } from './harness.js';

/**
 * A GRU built step by step from reference ops (linear, sigmoid, tanh, mul, add), one
 * sequence and one step at a time: the independent ground truth for the fused kernel.
 * Returns [output (total×H) flattened, hn (L×B×H) flattened] concatenated.
 */
function stepwiseGru(x: Tensor, layout: PackedLayout, w: GruParams, h0: Tensor | null): Tensor {
  const L = w.wIh.length,
    H = w.wHh[0]!.shape[1]!,
    B = layout.batch,
    be = x.backend;
  const idx = (i: number): Tensor => tensor(new Int32Array([i]), [1], { backend: be });
  const h0rows = h0 ? ops.reshape(h0, [L * B, H]) : null;
  let input = x;
  const finals: Tensor[] = [];
  for (let l = 0; l < L; l++) {
    const rows = new Array<Tensor>(layout.total);
    for (let b = 0; b < B; b++) {
      let h = h0rows ? ops.embedding(h0rows, idx(l * B + b)) : tensor(new Float32Array(H), [1, H], { backend: be });
      for (let t = 0; t < layout.lengths[b]!; t++) {
        const xt = ops.embedding(input, idx(layout.row(b, t)));
        const [ir, iz, inn] = ops.split(ops.linear(xt, w.wIh[l]!, w.bIh[l]!), [H, H, H]);
        const [hr, hz, hn] = ops.split(ops.linear(h, w.wHh[l]!, w.bHh[l]!), [H, H, H]);
        const r = ops.sigmoid(ops.add(ir!, hr!)),
          z = ops.sigmoid(ops.add(iz!, hz!));
        const n = ops.tanh(ops.add(inn!, ops.mul(r, hn!)));
        const one = tensor(new Float32Array(H).fill(1), [1, H], { backend: be });
        h = ops.add(ops.mul(ops.sub(one, z), n), ops.mul(z, h));
        rows[layout.row(b, t)] = h;
      }
      finals.push(h);
    }
    input = ops.reshape(ops.concat(rows), [layout.total, H]);
  }
  return ops.concat([ops.reshape(input, [1, layout.total * H]), ops.reshape(ops.concat(finals), [1, L * B * H])]);
}

function fusedGru(x: Tensor, layout: PackedLayout, w: GruParams, h0: Tensor | null): Tensor {
  const { output, hn } = ops.gru(x, layout, w, { h0 });
  return ops.concat([ops.reshape(output, [1, output.size]), ops.reshape(hn, [1, hn.size])]);
}

function gruInputs(layout: PackedLayout, E: number, H: number, L: number): InputSpec[] {
  const specs: InputSpec[] = [{ shape: [layout.total, E], grad: true }];
  for (let l = 0; l < L; l++)
    specs.push(
      { shape: [3 * H, l === 0 ? E : H], grad: true },
      { shape: [3 * H, H], grad: true },
      { shape: [3 * H], grad: true },
      { shape: [3 * H], grad: true },
    );
  specs.push({ shape: [L, layout.batch, H], grad: true });
  return specs;
}

const split = (xs: Tensor[], L: number): [Tensor, GruParams, Tensor] => {
  const pick = (k: number): Tensor[] => Array.from({ length: L }, (_, l) => xs[1 + 4 * l + k]!);
  return [xs[0]!, { wIh: pick(0), wHh: pick(1), bIh: pick(2), bHh: pick(3) }, xs[1 + 4 * L]!];
};

describe('GRU over packed sequences', () => {
  it("workspace sizes are each backend's kernel; the reference keeps the cpu kernel's layout", () => {
    for (const [L, total, H, save, drop] of [
      [1, 7, 4, true, false],
      [3, 10, 5, true, true],
      [2, 3, 8, false, true],
      [2, 0, 8, false, false],
    ] as const)
      expect(kernel('gruWorkspaceFloats', 'cpu')(L, total, H, save, drop), `${[L, total, H, save, drop]}`).toBe(
        kernel('gruWorkspaceFloats', 'reference')(L, total, H, save, drop),
      );
    const layout = PackedLayout.fromLengths([3, 1, 2]);
    expect(kernel('attentionProbFloats', 'cpu')(layout, 2)).toBe(2 * (9 + 1 + 4));
    expect(kernel('attentionProbFloats', 'reference')(layout, 2)).toBe(2 * (9 + 1 + 4));
  });

  it('fused cpu and reference kernels match a step-by-step GRU of reference ops (values and gradients)', () => {
    const layout = PackedLayout.fromLengths([3, 1, 5, 2, 1]),
      E = 3,
      H = 4,
      L = 2;
    const specs = gruInputs(layout, E, H, L);
    const ref = makeInputs(specs, 'reference', new Rng(21)),
      cpu = makeInputs(specs, 'cpu', new Rng(21));
    const stepwise = (xs: Tensor[]): Tensor => {
      const [x, w, h0] = split(xs, L);
      return stepwiseGru(x, layout, w, h0);
    };
    const fused = (xs: Tensor[]): Tensor => {
      const [x, w, h0] = split(xs, L);
      return fusedGru(x, layout, w, h0);
    };
    const want = tidy(() => values(stepwise(ref)));
    expectClose(
      tidy(() => values(fused(ref))),
      want,
      1e-12,
      1e-10,
      'reference kernel vs step-by-step',
    );
    expectClose(
      tidy(() => values(fused(cpu))),
      want,
      1e-5,
      1e-4,
      'cpu kernel vs step-by-step',
    );
    const weights = randn([want.length], new Rng(5));
    const gWant = analyticGrads(stepwise, ref, weights);
    const gRef = analyticGrads(fused, ref, weights),
      gCpu = analyticGrads(fused, cpu, weights);
    gWant.forEach((gw, k) => {
      expectClose(gRef[k]!, gw!, 1e-10, 1e-8, `reference gradient of input ${k}`);
      expectClose(gCpu[k]!, gw!, 1e-4, 1e-3, `cpu gradient of input ${k}`);
    });
    dispose(ref);
    dispose(cpu);
  });

  it('splits the recurrence over threads without changing the result (2 threads vs reference)', () => {
    // 6·total·H² above the threshold, so the rows are split between the two threads.
    const rng = new Rng(8);
    const layout = PackedLayout.fromLengths(Array.from({ length: 14 }, () => 1 + rng.int(20)));
    const E = 16,
      H = 64,
      L = 2;
    const specs = gruInputs(layout, E, H, L).map((s) => ({ ...s, data: randn(s.shape, rng, 0.3) }));
    const cpu = makeInputs(specs, 'cpu', rng),
      ref = makeInputs(specs, 'reference', rng);
    const f = (xs: Tensor[]): Tensor => {
      const [x, w, h0] = split(xs, L);
      return fusedGru(x, layout, w, h0);
    };
    native.setThreads(2);
    expectClose(
      tidy(() => values(f(cpu))),
      tidy(() => values(f(ref))),
      1e-5,
      1e-4,
      'forward',
    );
    const weights = randn([layout.total * H + L * layout.batch * H], new Rng(9));
    const gc = analyticGrads(f, cpu, weights),
      gr = analyticGrads(f, ref, weights);
    gr.forEach((g, k) => expectClose(gc[k]!, g!, 1e-4, 1e-3, `gradient of input ${k}`));
    dispose(cpu);
    dispose(ref);
  });

  it('inference (no graph, no saved gates) gives the training forward exactly', () => {
    const rng = new Rng(13);
    const layout = PackedLayout.fromLengths(Array.from({ length: 40 }, () => 1 + rng.int(30)));
    const gru = new GRU(8, 48, { layers: 3 });
    const x = tensor(randn([layout.total, 8], rng), [layout.total, 8]);
    const run = (): number[] =>
      tidy(() => {
        const { output, hn } = gru.forward(x, layout);
        return [...(output.toArray() as Float32Array), ...(hn.toArray() as Float32Array)];
      });
    const train = run();
    const infer = noGrad(run);
    expect(infer).toEqual(train);
    x.dispose();
    gru.dispose();
  });

  it('padded and packed inputs give identical results, and padding is never read', () => {
    const lengths = [2, 5, 1, 3],
      layout = PackedLayout.fromLengths(lengths),
      E = 3,
      T = 6;
    const rng = new Rng(4);
    const padded = new Float32Array(lengths.length * T * E).fill(NaN);
    const packed = new Float32Array(layout.total * E);
    lengths.forEach((len, b) => {
      for (let t = 0; t < len; t++)
        for (let e = 0; e < E; e++) {
          const v = rng.normal();
          padded[(b * T + t) * E + e] = v;
          packed[layout.row(b, t) * E + e] = v;
        }
    });
    const gru = new GRU(E, 5, { layers: 2 });
    const [a, b] = tidy(() => {
      const viaPadded = gru.forward(ops.packPadded(tensor(padded, [lengths.length, T, E]), layout), layout);
      const direct = gru.forward(tensor(packed, [layout.total, E]), layout);
      return [
        [...(viaPadded.output.toArray() as Float32Array), ...(viaPadded.hn.toArray() as Float32Array)],
        [...(direct.output.toArray() as Float32Array), ...(direct.hn.toArray() as Float32Array)],
      ];
    });
    expect(a.every(Number.isFinite)).toBe(true);
    expect(a).toEqual(b);
    const fromList = tidy(() =>
      Array.from(ops.packList(lengths.map((len, bi) => tensor(padded.slice(bi * T * E, (bi * T + len) * E), [len, E]))).packed.toArray() as Float32Array),
    );
    expect(fromList).toEqual(Array.from(packed));
    const back = tidy(() => ops.unpackPadded(tensor(packed, [layout.total, E]), layout, T).toArray() as Float32Array);
    lengths.forEach((len, bi) => {
      for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) expect(back[(bi * T + t) * E + e]).toBe(t < len ? padded[(bi * T + t) * E + e] : 0);
    });
    gru.dispose();
  });

  it('rejects bad layouts and shapes with errors that name the culprit', () => {
    expect(() => PackedLayout.fromLengths([3, 0, 2])).toThrow('PackedLayout: sequence 1 has length 0; every sequence needs at least one step');
    expect(() => PackedLayout.fromLengths([])).toThrow(/at least one sequence/);
    expect(() => PackedLayout.fromLengths([2, 1.5])).toThrow(/sequence 1 has length 1.5/);
    const layout = PackedLayout.fromLengths([2, 1]);
    const gru = new GRU(3, 4);
    tidy(() => {
      expect(() => gru.forward(tensor(new Float32Array(4 * 3), [4, 3]), layout)).toThrow(
        'gru: x [4, 3] must be [3, E] (packed rows × features) for this layout',
      );
      expect(() => gru.forward(tensor(new Float32Array(3 * 2), [3, 2]), layout)).toThrow('gru: wIh[0] is [12, 3], expected [12, 2]');
      expect(() => gru.forward(tensor(new Float32Array(9), [3, 3]), layout, tensor(new Float32Array(8), [1, 1, 8]))).toThrow(
        'gru: h0 [1, 1, 8] must be [1, 2, 4]',
      );
      expect(() => ops.packPadded(tensor(new Float32Array(2 * 1 * 3), [2, 1, 3]), layout)).toThrow(/packPadded: padded \[2, 1, 3\] must be \[2, ≥ 2, E\]/);
    });
    const bad = native.alloc(64, true);
    expect(() => native.packPadded(bad, 2, 1, new Int32Array([2, 2]), new Int32Array([0, 1]), bad)).not.toThrow();
    expect(() => native.packPadded(bad, 2, 1, new Int32Array([2, 3]), new Int32Array([0, 1]), bad)).toThrow(/batch_sizes must be positive and non-increasing/);
    expect(() => native.packPadded(bad, 2, 1, new Int32Array([2]), new Int32Array([0, 0]), bad)).toThrow(/permutation/);
    native.free(bad);
    gru.dispose();
  });
});
