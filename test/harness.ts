// Shared test helpers: the same inputs on the cpu and reference backends, comparisons with
// stated tolerances, and central finite differences on the float64 reference.
import { afterAll, beforeAll, expect } from 'vitest';
import '../ts/index.js';
import { refData } from '../ts/backend/reference/index.js';
import { initWebGpu, type WebGpuBackend } from '../ts/backend/webgpu/index.js';
import { backward, noGrad, ops, Rng, Tensor, tensor, tidy, type DType } from '../ts/index.js';

export type BackendName = 'cpu' | 'reference' | 'webgpu';

export interface InputSpec {
  shape: number[];
  dtype?: DType;
  /** Values; random normal when omitted. */
  data?: number[] | Float32Array | Int32Array;
  /** Differentiate with respect to this input (float32 only). */
  grad?: boolean;
}

export function randn(shape: number[], rng: Rng, scale = 1): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** Materialises the specs on a backend (identical values on every backend). */
export function makeInputs(specs: InputSpec[], backend: BackendName, rng: Rng): Tensor[] {
  return specs.map((s) => {
    const dtype = s.dtype ?? 'float32';
    const data = s.data ?? randn(s.shape, rng);
    const host = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    const t = tensor(host, s.shape, { dtype, backend });
    if (s.grad) t.requiresGrad = true;
    return t.keep();
  });
}

/** Values of a float tensor as numbers (float64 precision on the reference backend). */
export function values(t: Tensor): Float64Array {
  return t.backend.name === 'reference' ? Float64Array.from(refData(t)) : Float64Array.from(t.toArray() as Float32Array);
}

/** |a − b| ≤ atol + rtol·|b| elementwise, reporting the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i]! - expected[i]!) - (atol + rtol * Math.abs(expected[i]!));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) { worst = i; worstExcess = excess; }
  }
  if (worst >= 0)
    expect.fail(`${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
}

/**
 * Scalar probe of an op's output: Σ out·w with fixed random weights w, so every output
 * element reaches the gradient with a different weight.
 */
export function probe(out: Tensor, weights: Float32Array): Tensor {
  const w = tensor(weights, out.shape, { backend: out.backend });
  return ops.sum(ops.mul(out, w));
}

/** Fresh gradients of probe(f(inputs)) in each input's .grad (any backend). */
export function backwardProbe(f: (xs: Tensor[]) => Tensor, xs: Tensor[], weights: Float32Array): void {
  for (const x of xs) { x.grad?.dispose(); x.grad = null; }
  tidy(() => backward(probe(f(xs), weights)));
}

/** Analytic gradients of probe(f(inputs)) w.r.t. every input with grad: true. */
export function analyticGrads(f: (xs: Tensor[]) => Tensor, xs: Tensor[], weights: Float32Array): (Float64Array | null)[] {
  backwardProbe(f, xs, weights);
  return xs.map((x) => (x.requiresGrad ? (x.grad ? values(x.grad) : new Float64Array(x.size)) : null));
}

/**
 * Central finite differences of probe(f(inputs)) on the reference backend, at up to
 * `maxPoints` elements of each differentiated input.
 */
export function numericGrads(f: (xs: Tensor[]) => Tensor, xs: Tensor[], weights: Float32Array, h = 1e-6, maxPoints = 24): { input: number; index: number; value: number }[] {
  const loss = (): number => noGrad(() => tidy(() => values(probe(f(xs), weights))[0]!));
  const out: { input: number; index: number; value: number }[] = [];
  xs.forEach((x, k) => {
    if (!x.requiresGrad) return;
    const d = refData(x);
    const step = Math.max(1, Math.floor(x.size / maxPoints));
    for (let i = 0; i < x.size; i += step) {
      const keep = d[i]!;
      d[i] = keep + h;
      const up = loss();
      d[i] = keep - h;
      const down = loss();
      d[i] = keep;
      out.push({ input: k, index: i, value: (up - down) / (2 * h) });
    }
  });
  return out;
}

export function dispose(ts: Tensor[]): void {
  for (const t of ts) { t.grad?.dispose(); t.dispose(); }
}

/**
 * Starts the webgpu backend before a file's tests and stops it after them: Dawn's threads
 * must be stopped before the test worker exits (it crashes or hangs otherwise). Returns the
 * started backend.
 */
export function useWebGpu(): () => WebGpuBackend {
  let b: WebGpuBackend | null = null;
  beforeAll(async () => { b = await initWebGpu(); });
  afterAll(async () => {
    if (!b) return;
    await b.sync();
    b.destroy();
  });
  return () => b!;
}

/** A float32 tensor's values as float64, on any backend. */
export async function f64(t: Tensor): Promise<Float64Array> {
  return Float64Array.from((await t.data()) as Float32Array);
}
