// The webgpu backend against the float64 reference, through Dawn — on Mesa's llvmpipe
// (OpenGL ES, compatibility mode) in CI and here, on the default backend where a GPU is
// present. Same specs as the cpu suite (test/op_specs.ts): forward against the reference,
// gradients against the reference's and against central finite differences.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelNames, Rng, type Tensor } from '../ts/index.js';
import { initWebGpu, type WebGpuBackend } from '../ts/backend/webgpu/index.js';
import { backwardProbe, dispose, expectClose, makeInputs, numericGrads, randn, values } from './harness.js';
import { OP_SPECS } from './op_specs.js';

/** The specs whose every kernel the webgpu backend has so far (grows with the backend). */
const ON_WEBGPU = [
  'matmul', 'matmul transA', 'matmul transB', 'matmul transA transB', 'linear (3-D input, bias)', 'linear (no bias)',
  'add', 'sub', 'mul', 'mul (same input twice)', 'scale', 'addBias', 'reshape', 'sigmoid', 'tanh', 'relu', 'gelu', 'sum', 'mean',
];

const f64 = async (t: Tensor): Promise<Float64Array> => Float64Array.from(await t.data() as Float32Array);

let backend: WebGpuBackend;
beforeAll(async () => {
  backend = await initWebGpu();
});
// Dawn's threads must be stopped before the worker exits (it crashes or hangs otherwise).
afterAll(async () => {
  await backend.sync();
  backend.destroy();
});

describe('webgpu backend: every op against the float64 reference', () => {
  for (const spec of OP_SPECS.filter((s) => ON_WEBGPU.includes(s.name))) {
    it(spec.name, async () => {
      const gpu = makeInputs(spec.inputs, 'webgpu', new Rng(7));
      const ref = makeInputs(spec.inputs, 'reference', new Rng(7));
      const out = spec.f(gpu), outRef = spec.f(ref);
      expect(out.shape).toEqual(outRef.shape);
      expectClose(await f64(out), values(outRef), spec.atol ?? 1e-5, 1e-4, `${spec.name} forward`);
      const weights = randn([...outRef.shape], new Rng(99));
      out.dispose();
      outRef.dispose();

      // Gradients: webgpu against the reference's analytic gradients, and against central
      // differences of the reference (float64) at sampled points.
      backwardProbe(spec.f, gpu, weights);
      backwardProbe(spec.f, ref, weights);
      const numeric = numericGrads(spec.f, ref, weights);
      for (const [k, x] of gpu.entries()) {
        if (!x.requiresGrad) continue;
        const g = x.grad ? await f64(x.grad) : new Float64Array(x.size);
        expectClose(g, values(ref[k]!.grad!), 1e-4, 1e-3, `${spec.name} gradient of input ${k}`);
        for (const { input, index, value } of numeric)
          if (input === k) expectClose([g[index]!], [value], 1e-4, 1e-3, `${spec.name} d/d input ${k}[${index}] (finite differences)`);
      }
      dispose(gpu);
      dispose(ref);
    });
  }

  it('registers only kernels the cpu backend has', () => {
    const cpu = new Set(kernelNames('cpu'));
    expect(kernelNames('webgpu').filter((k) => !cpu.has(k))).toEqual([]);
  });

  it('reads only asynchronously, and says so', () => {
    const t = makeInputs([{ shape: [2] }], 'webgpu', new Rng(1))[0]!;
    expect(() => t.toArray()).toThrow(/await tensor\.data\(\)/);
    t.dispose();
  });
});
