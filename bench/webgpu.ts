// WebGPU suite: the webgpu backend's GEMM against the native cpu one (the reference), GFLOP/s
// at square sizes, and the embedding gradient of a batch where most ids are one (pad, as in a
// padded batch) in ids/s; each case validated first (every entry against the cpu result). Times are
// wall clock from the first recorded dispatch until the queue is idle after `reps`
// back-to-back GEMMs (timestamp queries are not used yet).
import { initWebGpu } from '../ts/backend/webgpu/index.js';
import { kernel } from '../ts/backend/registry.js';
import { native, ops, Rng, Tensor, tensor } from '../ts/index.js';
import { report, type Row, type SuiteOptions } from './report.js';

const SIZES = [256, 512, 1024, 2048];

async function time(run: () => Tensor, done: (t: Tensor) => Promise<unknown>, reps: number, rounds: number): Promise<number> {
  let best = Infinity;
  await done(run()); // warm-up: pipelines, pools
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    let last: Tensor | null = null;
    for (let i = 0; i < reps; i++) {
      last?.dispose();
      last = run();
    }
    await done(last!);
    last!.dispose();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
}

export async function webgpuSuite(opts: SuiteOptions, sizes: readonly number[] = SIZES): Promise<void> {
  native.setThreads(opts.threads);
  const gpu = await initWebGpu();
  const rows: Row[] = [];
  for (const n of sizes) {
    const rng = new Rng(n);
    const A = Float32Array.from({ length: n * n }, () => rng.normal()),
      B = Float32Array.from({ length: n * n }, () => rng.normal());
    const a = tensor(A, [n, n], { backend: 'webgpu' }),
      b = tensor(B, [n, n], { backend: 'webgpu' });
    const ac = tensor(A, [n, n], { backend: 'cpu' }),
      bc = tensor(B, [n, n], { backend: 'cpu' });
    const want = ops.matmul(ac, bc).toArray() as Float32Array,
      got = (await ops.matmul(a, b).data()) as Float32Array;
    for (let i = 0; i < want.length; i++)
      if (!(Math.abs(got[i]! - want[i]!) <= 1e-4 * Math.sqrt(n) * (1 + Math.abs(want[i]!))))
        throw new Error(`webgpu gemm ${n}³ is wrong at ${i}: ${got[i]} vs ${want[i]}`);
    const reps = Math.max(1, Math.round(2 ** 28 / n ** 3));
    const msGpu = await time(
      () => ops.matmul(a, b),
      () => gpu.sync(),
      reps,
      opts.rounds,
    );
    const msCpu = await time(
      () => ops.matmul(ac, bc),
      async (t) => t.toArray(),
      reps,
      opts.rounds,
    );
    const gflops = (ms: number): number => (2 * n ** 3) / ms / 1e6;
    rows.push({
      suite: 'webgpu',
      case: `gemm ${n}x${n}x${n}`,
      ours: gflops(msGpu),
      reference: gflops(msCpu),
      unit: 'GFLOP/s',
      extra: { 'ms (webgpu)': msGpu.toFixed(3), 'ms (cpu)': msCpu.toFixed(3) },
    });
    for (const t of [a, b, ac, bc]) t.dispose();
  }
  rows.push(await embeddingGradient(opts.rounds, gpu));
  report(rows, opts.json, [`webgpu: ${gpu.description}; reference: seqcore cpu backend, ${opts.threads} thread(s)`]);
  await gpu.sync();
  gpu.destroy();
}

/** The embedding gradient of 256 sequences × 128 positions, 60 % of them the pad id, V 5,000, E 64: ids/s. */
async function embeddingGradient(rounds: number, gpu: { sync(): Promise<void> }): Promise<Row> {
  const n = 256 * 128,
    V = 5000,
    E = 64,
    rng = new Rng(3);
  const ids = Int32Array.from({ length: n }, () => (rng.uniform() < 0.6 ? 0 : 1 + rng.int(V - 1)));
  const dy = Float32Array.from({ length: n * E }, () => rng.normal());
  const on = (backend: string) => ({ dy: tensor(dy, [n, E], { backend }), ids: tensor(ids, [n], { dtype: 'int32', backend }) });
  const g = on('webgpu'),
    c = on('cpu');
  const grad = (x: typeof g, backend: string): Tensor => {
    const out = tensor(new Float32Array(V * E), [V, E], { backend });
    kernel('embeddingScatterAdd', backend)(x.dy, x.ids, out);
    return out;
  };
  const want = grad(c, 'cpu').toArray() as Float32Array,
    got = (await grad(g, 'webgpu').data()) as Float32Array;
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs(got[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!))))
      throw new Error(`webgpu embedding gradient is wrong at ${i}: ${got[i]} vs ${want[i]}`);
  const msGpu = await time(
    () => grad(g, 'webgpu'),
    () => gpu.sync(),
    20,
    rounds,
  );
  const msCpu = await time(
    () => grad(c, 'cpu'),
    async (t) => t.toArray(),
    20,
    rounds,
  );
  for (const t of [g.dy, g.ids, c.dy, c.ids]) t.dispose();
  return {
    suite: 'webgpu',
    case: `embedding gradient ${n} ids (60 % one id), ${V}×${E}`,
    ours: n / msGpu / 1e3,
    reference: n / msCpu / 1e3,
    unit: 'M ids/s',
    extra: { 'ms (webgpu)': msGpu.toFixed(3), 'ms (cpu)': msCpu.toFixed(3) },
  };
}
