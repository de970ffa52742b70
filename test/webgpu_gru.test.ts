// The GRU op (ops.gru: kernels/gru.wgsl and gemm.wgsl's gemm_at) on webgpu against the
// float64 reference backend, whose kernel test/gru.test.ts checks against a step-by-step
// GRU and torch: output and hn (inference and training forwards), and the gradient of every
// input and parameter, against the reference's analytic gradients and against central
// finite differences of the reference at sampled points. Every case runs both ways of the
// recurrence: the whole-sequence kernels and the per-step dispatches.
import { afterAll, describe, expect, it } from 'vitest';
import { sequencesPerGroup, useGruRecurrence } from '../ts/backend/webgpu/gru.js';
import { noGrad, ops, PackedLayout, Rng, tensor, tidy, type GruParams, type Tensor } from '../ts/index.js';
import { backwardProbe, dispose, expectClose, f64, makeInputs, numericGrads, randn, useWebGpu, values, type InputSpec } from './harness.js';

interface Case {
  name: string;
  lengths: number[];
  E: number;
  H: number;
  L: number;
  h0: boolean;
  dropout: number;
  /** Which outputs the loss reads: both, or only one (the other's gradient is null). */
  flow: 'both' | 'hn' | 'output';
}

const CASES: Case[] = [
  { name: '1 layer with h0', lengths: [3, 3, 3], E: 3, H: 5, L: 1, h0: true, dropout: 0, flow: 'both' },
  { name: '2 layers, dropout 0.3, no h0', lengths: [4, 2, 3], E: 3, H: 6, L: 2, h0: false, dropout: 0.3, flow: 'both' },
  // 3H = 36: the GEMMs span two 32-wide tiles.
  { name: 'unequal lengths [5, 2, 4, 1], 2 layers with h0', lengths: [5, 2, 4, 1], E: 4, H: 12, L: 2, h0: true, dropout: 0, flow: 'both' },
  { name: "only hn's gradient flows", lengths: [5, 2, 4, 1], E: 4, H: 7, L: 2, h0: true, dropout: 0, flow: 'hn' },
  { name: "only the output's gradient flows", lengths: [2, 5, 1], E: 2, H: 4, L: 2, h0: true, dropout: 0, flow: 'output' },
  { name: '3 layers, dropout 0.5, h0, unequal lengths', lengths: [6, 3, 1, 4, 2], E: 5, H: 8, L: 3, h0: true, dropout: 0.5, flow: 'both' },
  // Two dispatches per step and layer: more than the backend's 256 uniform slots, so the
  // recurrence is submitted in several parts.
  { name: 'long sequences (several submits)', lengths: [70, 33, 1], E: 2, H: 3, L: 2, h0: true, dropout: 0.2, flow: 'both' },
  // Whole-sequence kernels: 130 sequences give 3 per workgroup (the last group has one);
  // 3·24 states per group, fewer than the 128 invocations, then 3·50, more (a strided loop).
  { name: '130 sequences, H 24', lengths: Array.from({ length: 130 }, (_, i) => 1 + ((i * 7) % 4)), E: 2, H: 24, L: 2, h0: true, dropout: 0.2, flow: 'both' },
  { name: '130 sequences, H 50', lengths: Array.from({ length: 130 }, (_, i) => 1 + ((i * 5) % 3)), E: 2, H: 50, L: 1, h0: true, dropout: 0, flow: 'both' },
];

/**
 * x, then per layer wIh, wHh, bIh, bHh, then h0 if any; all differentiated. The weight
 * matrices have PyTorch's scale (1/√H): with unit normal weights the gates of the wider cases
 * saturate, and float32 sums of 70 terms of size ~8 differ from float64 by more than the
 * tolerance for any summation order.
 */
function specs(c: Case, layout: PackedLayout): InputSpec[] {
  const s: InputSpec[] = [{ shape: [layout.total, c.E], grad: true }];
  const weight = (shape: number[], seed: number): InputSpec => ({ shape, grad: true, data: randn(shape, new Rng(seed), 1 / Math.sqrt(c.H)) });
  for (let l = 0; l < c.L; l++)
    s.push(
      weight([3 * c.H, l === 0 ? c.E : c.H], 100 + 2 * l),
      weight([3 * c.H, c.H], 101 + 2 * l),
      { shape: [3 * c.H], grad: true },
      { shape: [3 * c.H], grad: true },
    );
  if (c.h0) s.push({ shape: [c.L, layout.batch, c.H], grad: true });
  return s;
}

function gruOf(c: Case, layout: PackedLayout, xs: Tensor[]): { output: Tensor; hn: Tensor } {
  const pick = (k: number): Tensor[] => Array.from({ length: c.L }, (_, l) => xs[1 + 4 * l + k]!);
  const w: GruParams = { wIh: pick(0), wHh: pick(1), bIh: pick(2), bHh: pick(3) };
  return ops.gru(xs[0]!, layout, w, { h0: c.h0 ? xs[1 + 4 * c.L]! : null, dropout: c.dropout, seed: 1234, training: true });
}

useWebGpu();

afterAll(() => useGruRecurrence('sequence'));

describe.each(['sequence', 'steps'] as const)('webgpu GRU against the float64 reference (recurrence: %s)', (way) => {
  for (const c of CASES) {
    it(c.name, async () => {
      useGruRecurrence(way);
      expect(sequencesPerGroup(c.lengths.length, c.H) !== null).toBe(way === 'sequence');
      const layout = PackedLayout.fromLengths(c.lengths);
      const gpu = makeInputs(specs(c, layout), 'webgpu', new Rng(17)),
        ref = makeInputs(specs(c, layout), 'reference', new Rng(17));

      // Inference forward (no gates saved).
      const want = tidy(() => {
        const r = gruOf(c, layout, ref);
        return { output: values(r.output), hn: values(r.hn) };
      });
      const [out, hn] = noGrad(() =>
        tidy(() => {
          const r = gruOf(c, layout, gpu);
          return [r.output, r.hn];
        }),
      );
      expectClose(await f64(out!), want.output, 1e-5, 1e-4, `${c.name}: output (inference)`);
      expectClose(await f64(hn!), want.hn, 1e-5, 1e-4, `${c.name}: hn (inference)`);
      dispose([out!, hn!]);

      // Training forward and backward of the loss Σ output·wOut + Σ hn·wHn (or one term).
      const wOut = randn([layout.total, c.H], new Rng(5)),
        wHn = randn([c.L, layout.batch, c.H], new Rng(6));
      let seen: Tensor[] = [];
      const loss = (xs: Tensor[]): Tensor => {
        const r = gruOf(c, layout, xs),
          be = xs[0]!.backend;
        if (xs === gpu) seen = [r.output.keep(), r.hn.keep()];
        const a = ops.sum(ops.mul(r.output, tensor(wOut, r.output.shape, { backend: be })));
        const b = ops.sum(ops.mul(r.hn, tensor(wHn, r.hn.shape, { backend: be })));
        return c.flow === 'both' ? ops.add(a, b) : c.flow === 'hn' ? b : a;
      };
      const one = Float32Array.of(1);
      backwardProbe(loss, gpu, one);
      backwardProbe(loss, ref, one);
      expectClose(await f64(seen[0]!), want.output, 1e-5, 1e-4, `${c.name}: output (training)`);
      expectClose(await f64(seen[1]!), want.hn, 1e-5, 1e-4, `${c.name}: hn (training)`);
      dispose(seen);
      const numeric = numericGrads(loss, ref, one);
      for (const [k, x] of gpu.entries()) {
        const g = x.grad ? await f64(x.grad) : new Float64Array(x.size);
        expectClose(g, values(ref[k]!.grad!), 1e-4, 1e-3, `${c.name}: gradient of input ${k}`);
        for (const { input, index, value } of numeric)
          if (input === k) expectClose([g[index]!], [value], 1e-4, 1e-3, `${c.name}: d/d input ${k}[${index}] (finite differences)`);
      }
      dispose(gpu);
      dispose(ref);
    });
  }
});
