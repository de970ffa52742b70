// GELU suite: the cpu backend's GELU (the erf form) forward and backward over 2²² floats
// against torch.nn.functional.gelu and its backward, in G elements/s; the universal network
// of the challenge's evaluation runs one after every block. Validated first against float64
// erf over [-10, 10].
import { native, Rng } from '../ts/index.js';
import { bennyCase } from './benny_case.js';
import { TorchReference } from './reference.js';
import { report, type Row, type SuiteOptions } from './report.js';

const N = 1 << 22;
const GELU = 3; // native/common/kernel_types.h UnaryOp::Gelu

/** erf in float64: the Taylor series for |x| < 3, beyond it the continued fraction of erfc. */
function erf64(x: number): number {
  const ax = Math.abs(x);
  let y: number;
  if (ax < 3) {
    let term = ax,
      sum = ax;
    for (let k = 1; k < 100; k++) {
      term *= (-ax * ax) / k;
      sum += term / (2 * k + 1);
    }
    y = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let k = 60; k >= 1; k--) f = k / 2 / (ax + f);
    y = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  }
  return x < 0 ? -y : y;
}

function validate(): void {
  const n = 4001,
    x = Float32Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
  const [a, y, d, dx] = [native.alloc(n * 4, true), native.alloc(n * 4, true), native.alloc(n * 4, true), native.alloc(n * 4, true)];
  native.write(a, x, 0);
  native.write(d, new Float32Array(n).fill(1), 0);
  native.unary(GELU, a, y, n);
  native.unaryGrad(GELU, a, y, d, dx, n);
  const [Y, DX] = [new Float32Array(n), new Float32Array(n)];
  native.read(y, Y, 0);
  native.read(dx, DX, 0);
  for (let i = 0; i < n; i++) {
    const v = x[i]!,
      cdf = 0.5 * (1 + erf64(v / Math.SQRT2)),
      pdf = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
    if (!(Math.abs(Y[i]! - v * cdf) <= 1e-6 * (1 + Math.abs(v))) || !(Math.abs(DX[i]! - (cdf + v * pdf)) <= 1e-6 * (1 + Math.abs(v))))
      throw new Error(`gelu at ${v}: ${Y[i]} (gradient ${DX[i]}), float64 ${v * cdf} (${cdf + v * pdf})`);
  }
  for (const id of [a, y, d, dx]) native.free(id);
}

export async function geluSuite(opts: SuiteOptions): Promise<void> {
  native.setThreads(opts.threads);
  validate();
  const rng = new Rng(1);
  const [x, y, d, dx] = [native.alloc(N * 4, true), native.alloc(N * 4, true), native.alloc(N * 4, true), native.alloc(N * 4, true)];
  native.write(
    x,
    Float32Array.from({ length: N }, () => 2 * rng.normal()),
    0,
  );
  native.write(
    d,
    Float32Array.from({ length: N }, () => rng.normal()),
    0,
  );
  const torch = await TorchReference.start(opts.threads);
  const rows: Row[] = [];
  try {
    for (const pass of ['forward', 'backward'] as const) {
      let ours = 0,
        ref: number | null = null;
      for (let round = 0; round < opts.rounds; round++) {
        const run = pass === 'forward' ? () => native.unary(GELU, x, y, N) : () => native.unaryGrad(GELU, x, y, d, dx, N);
        ours = Math.max(ours, ((await bennyCase(`gelu ${pass}`, run, opts)) * N) / 1e9);
        const r = await torch.run({ suite: 'gelu', pass, n: N, seconds: opts.seconds / 2 });
        if (r !== null) ref = Math.max(ref ?? 0, r);
      }
      rows.push({ suite: 'gelu', case: `${pass}, ${N} floats`, ours, reference: ref, unit: 'G elements/s' });
    }
  } finally {
    torch.close();
    for (const id of [x, y, d, dx]) native.free(id);
  }
  report(rows, opts.json, [
    `gelu (erf form): seqcore cpu backend ${native.isa().active}, ${opts.threads} threads; best of ${opts.rounds} alternating rounds`,
    `reference: ${torch.label}`,
  ]);
}
