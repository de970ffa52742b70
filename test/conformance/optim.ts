// The optimizer kernels on one backend against the float64 reference: gradClip (the global
// norm and the clip factor) and one adamSteps over several tensors (one of 3000 floats: several
// chunks of the cuda kernel; one empty), for Adam and AdamW, without and with clipping; and a
// NaN or an Inf gradient: factor NaN, and nothing written.
import { kernel, ops, Rng, tensor, type Tensor } from '../../ts/index.js';
import type { AdamOptions } from '../../ts/backend/registry.js';
import { expectClose, f64, randn } from '../numeric.js';
import type { Case } from './case.js';

const SIZES = [3000, 7, 0, 1500, 1];

/** One set of parameters, gradients and moments (v ≥ 0) with the same values on every backend. */
interface State {
  params: Tensor[];
  grads: Tensor[];
  ms: Tensor[];
  vs: Tensor[];
}

function state(backend: string, bad?: number): State {
  const rng = new Rng(5),
    on = (x: Float32Array): Tensor => tensor(x, [x.length], { backend }).keep();
  const host = SIZES.map((n) => ({ p: randn([n], rng), g: randn([n], rng, 0.1), m: randn([n], rng, 0.01), v: randn([n], rng, 0.01).map((x) => x * x) }));
  if (bad !== undefined) host[3]!.g[17] = bad;
  return { params: host.map((h) => on(h.p)), grads: host.map((h) => on(h.g)), ms: host.map((h) => on(h.m)), vs: host.map((h) => on(h.v)) };
}

const all = (s: State): Tensor[] => [...s.params, ...s.grads, ...s.ms, ...s.vs];

/** gradClip then adamSteps, as Adam.step queues them; returns clip ([norm, factor]). */
function update(s: State, maxNorm: number, o: AdamOptions): Tensor {
  const parts = s.grads.map((g) => {
    const out = tensor([0], [1, 1], { backend: g.backend });
    kernel('sumSquares', g)(g, out);
    return out;
  });
  const ss = ops.concat(parts);
  const clip = tensor([0, 0], [2], { backend: ss.backend });
  kernel('gradClip', clip)(ss, maxNorm, clip);
  kernel('adamSteps', clip)(s.params, s.grads, s.ms, s.vs, o, clip);
  [...parts, ss].forEach((t) => t.dispose());
  return clip;
}

const OPTIONS: [string, number, AdamOptions][] = [
  ['Adam, L2 weight decay, no clipping', Infinity, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: false, step: 1 }],
  ['AdamW, clipped to norm 0.5', 0.5, { lr: 0.01, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.01, decoupled: true, step: 3 }],
];

export function optimCases(backend: string): Case[] {
  return [
    ...OPTIONS.map(([name, maxNorm, o]): Case => ({
      name: `gradClip and adamSteps: ${name}`,
      async run() {
        const got = state(backend),
          want = state('reference');
        try {
          const clip = update(got, maxNorm, o),
            wantClip = update(want, maxNorm, o);
          const c = await f64(clip),
            w = await f64(wantClip);
          clip.dispose();
          wantClip.dispose();
          if (maxNorm < Infinity && !(w[0]! > maxNorm)) throw new Error(`the test's gradients have norm ${w[0]}: they must be clipped at ${maxNorm}`);
          expectClose(c, w, 0, 1e-6, `${backend} gradClip [norm, factor]`);
          for (const k of ['params', 'ms', 'vs'] as const)
            for (const [t, x] of got[k].entries()) expectClose(await f64(x), await f64(want[k][t]!), 1e-6, 1e-5, `${backend} adamSteps ${k}[${t}]`);
        } finally {
          [...all(got), ...all(want)].forEach((t) => t.dispose());
        }
      },
    })),
    ...[NaN, Infinity].map((bad): Case => ({
      name: `${bad} in a gradient: gradClip's factor is NaN and adamSteps writes nothing`,
      async run() {
        const s = state(backend, bad),
          before = await Promise.all(all(s).map(f64));
        try {
          const clip = update(s, 1, OPTIONS[1]![2]);
          const [norm, factor] = await f64(clip);
          clip.dispose();
          if (!Object.is(norm, bad) || !Number.isNaN(factor)) throw new Error(`${backend} gradClip: [${norm}, ${factor}], expected [${bad}, NaN]`);
          const after = await Promise.all(all(s).map(f64));
          const changed = after.findIndex((x, i) => x.some((v, j) => !Object.is(v, before[i]![j])));
          const n = SIZES.length,
            which = `${['params', 'grads', 'ms', 'vs'][Math.floor(changed / n)]}[${changed % n}]`;
          if (changed >= 0) throw new Error(`${backend} adamSteps wrote ${which} after ${bad} in a gradient`);
        } finally {
          all(s).forEach((t) => t.dispose());
        }
      },
    })),
  ];
}
