// The test harness without vitest (test/harness.ts re-exports it and adds the vitest hooks), so
// that test/conformance/ runs under a plain Node runner too: the same inputs on any backend and
// the float64 reference, comparisons with stated tolerances that throw an Error naming the worst
// element, and central finite differences on the reference.
import '../ts/index.js';
import { refData } from '../ts/backend/reference/index.js';
import { backward, noGrad, ops, Rng, Tensor, tensor, tidy, type DType } from '../ts/index.js';

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
export function makeInputs(specs: InputSpec[], backend: string, rng: Rng): Tensor[] {
  return specs.map((s) => {
    const dtype = s.dtype ?? 'float32';
    const data = s.data ?? randn(s.shape, rng);
    const host = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    const t = tensor(host, s.shape, { dtype, backend });
    if (s.grad) t.requiresGrad = true;
    return t.keep();
  });
}

/** Values of a float tensor as numbers (float64 precision on the reference backend); backends that read synchronously. */
export function values(t: Tensor): Float64Array {
  return t.backend.name === 'reference' ? Float64Array.from(refData(t)) : Float64Array.from(t.toArray() as Float32Array);
}

/** values(t) on any backend: webgpu (and any backend that reads only asynchronously) included. */
export async function f64(t: Tensor): Promise<Float64Array> {
  return t.backend.name === 'reference' ? values(t) : Float64Array.from((await t.data()) as Float32Array);
}

/** |a − b| ≤ atol + rtol·|b| elementwise; throws naming the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: ${actual.length} values, expected ${expected.length}`);
  let worst = -1,
    worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i]! - expected[i]!) - (atol + rtol * Math.abs(expected[i]!));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) throw new Error(`${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
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
  for (const x of xs) {
    x.grad?.dispose();
    x.grad = null;
  }
  tidy(() => backward(probe(f(xs), weights)));
}

/** Analytic gradients of probe(f(inputs)) w.r.t. every input with grad: true (backends that read synchronously). */
export function analyticGrads(f: (xs: Tensor[]) => Tensor, xs: Tensor[], weights: Float32Array): (Float64Array | null)[] {
  backwardProbe(f, xs, weights);
  return xs.map((x) => (x.requiresGrad ? (x.grad ? values(x.grad) : new Float64Array(x.size)) : null));
}

/**
 * Central finite differences of probe(f(inputs)) on the reference backend, at up to
 * `maxPoints` elements of each differentiated input.
 */
export function numericGrads(
  f: (xs: Tensor[]) => Tensor,
  xs: Tensor[],
  weights: Float32Array,
  h = 1e-6,
  maxPoints = 24,
): { input: number; index: number; value: number }[] {
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
  for (const t of ts) {
    t.grad?.dispose();
    t.dispose();
  }
}
