// Every op of test/op_specs.ts on one backend against the float64 reference backend: the
// forward; the gradients of a probe Σ out·w (w fixed, random) against the reference's; both
// those and the reference's own against central finite differences of the reference.
import { Rng, tidy, type Tensor } from '../../ts/index.js';
import { backwardProbe, dispose, expectClose, f64, makeInputs, numericGrads, randn } from '../numeric.js';
import { OP_SPECS, type OpSpec } from '../op_specs.js';
import type { Case } from './case.js';

export function opCases(backend: string): Case[] {
  return OP_SPECS.map((spec) => ({ name: spec.name, run: () => checkOp(spec, backend) }));
}

/** An input the probe does not reach has no .grad: its gradient is zero. */
const gradient = (x: Tensor): Promise<Float64Array> => (x.grad ? f64(x.grad) : Promise.resolve(new Float64Array(x.size)));

async function checkOp(spec: OpSpec, backend: string): Promise<void> {
  const label = `${backend} ${spec.name}`;
  const xs = makeInputs(spec.inputs, backend, new Rng(7)),
    ref = makeInputs(spec.inputs, 'reference', new Rng(7));
  try {
    const out = tidy(() => spec.f(xs)),
      want = tidy(() => spec.f(ref));
    if (out.shape.join() !== want.shape.join()) throw new Error(`${label}: output shape [${out.shape.join(', ')}], reference [${want.shape.join(', ')}]`);
    // Every backend computes in float32, the reference in float64: hence the tolerances.
    expectClose(await f64(out), await f64(want), spec.atol ?? 1e-5, 1e-4, `${label} forward`);
    const weights = randn([...want.shape], new Rng(99));
    out.dispose();
    want.dispose();

    backwardProbe(spec.f, xs, weights);
    backwardProbe(spec.f, ref, weights);
    const numeric = spec.noFiniteDiff ? [] : numericGrads(spec.f, ref, weights);
    for (const [k, x] of xs.entries()) {
      if (!x.requiresGrad) continue;
      const g = await gradient(x),
        gRef = await gradient(ref[k]!);
      expectClose(g, gRef, 1e-4, 1e-3, `${label} gradient of input ${k}`);
      for (const { input, index, value } of numeric) {
        if (input !== k) continue;
        // The reference's analytic gradient in float64 is held tighter than the float32 backend's.
        expectClose([gRef[index]!], [value], 1e-6, 1e-5, `reference ${spec.name} d/d input ${k}[${index}] (finite differences)`);
        expectClose([g[index]!], [value], 1e-4, 1e-3, `${label} d/d input ${k}[${index}] (finite differences)`);
      }
    }
  } finally {
    dispose(xs);
    dispose(ref);
  }
}
