import { describe, expect, it } from 'vitest';
import { kernelNames, Rng } from '../ts/index.js';
import { analyticGrads, dispose, expectClose, makeInputs, numericGrads, randn, values } from './harness.js';
import { OP_SPECS } from './op_specs.js';

describe('every op: cpu against the float64 reference, gradients against finite differences', () => {
  for (const spec of OP_SPECS) {
    it(spec.name, () => {
      const cpu = makeInputs(spec.inputs, 'cpu', new Rng(7));
      const ref = makeInputs(spec.inputs, 'reference', new Rng(7));
      const outCpu = spec.f(cpu), outRef = spec.f(ref);
      expect(outCpu.shape).toEqual(outRef.shape);
      expectClose(values(outCpu), values(outRef), spec.atol ?? 1e-5, 1e-4, `${spec.name} forward`);
      const weights = randn([...outRef.shape], new Rng(99));
      outCpu.dispose();
      outRef.dispose();

      // Backward kernels: cpu gradients against reference gradients.
      const gCpu = analyticGrads(spec.f, cpu, weights), gRef = analyticGrads(spec.f, ref, weights);
      gRef.forEach((gr, k) => {
        if (gr) expectClose(gCpu[k]!, gr, 1e-4, 1e-3, `${spec.name} gradient of input ${k}`);
      });

      // The reference's analytic gradient against central differences, all in float64.
      for (const { input, index, value } of numericGrads(spec.f, ref, weights))
        expectClose([gRef[input]![index]!], [value], 1e-6, 1e-5, `${spec.name} d/d input ${input}[${index}]`);
      dispose(cpu);
      dispose(ref);
    });
  }

  it('the cpu and reference backends implement the same kernels', () => {
    expect(new Set(kernelNames('cpu'))).toEqual(new Set(kernelNames('reference')));
  });
});
