// SASRec training on the webgpu backend beside the cpu backend (the WebGPU device check's
// `--suite rec`, issue 22): the rec suite's model and settings (bench/rec.ts) on generated
// sequences of Amazon Beauty's shape, since the GPU machine has no datasets. Validate, then
// time: the first steps' losses on webgpu must be the cpu's (dropout masks are a hash of seed
// and position on every backend); then training sequences/s, best of the rounds.
import { onBackend } from '../ts/backend/use.js';
import { initWebGpu } from '../ts/backend/webgpu/index.js';
import { native, Rng } from '../ts/index.js';
import type { UserSequences } from '../ts/rec/sequences.js';
import { looSplit } from '../ts/rec/split.js';
import { trainRecommender } from '../ts/rec/train.js';
import { benchTraining } from './rec.js';
import { report, type Row, type SuiteOptions } from './report.js';

/** Beauty's shape: 22,363 users and 12,101 items, 5 interactions or more each (8.9 on average), popular items far more often. */
export function beautyLike(users = 22363, items = 12101, seed = 1): UserSequences {
  const rng = new Rng(seed);
  const sequences = Array.from({ length: users }, () => {
    let n = 5;
    while (rng.uniform() < 0.75 && n < 200) n++; // 5 + geometric: mean 8
    return Int32Array.from({ length: n }, () => 1 + Math.min(items - 1, Math.floor(items * rng.uniform() ** 2.5)));
  });
  return { users: sequences.map((_, u) => u + 1), sequences, items: items + 1 };
}

export async function recWebGpuSuite(opts: SuiteOptions, users?: number): Promise<void> {
  native.setThreads(opts.threads);
  const gpu = await initWebGpu();
  const split = looSplit(beautyLike(users));
  const train = split.train.filter((s) => s.length >= 2).length;
  const steps = Math.max(5, Math.round(opts.seconds * 5));
  const run = (backend: string, maxSteps: number) => onBackend(backend, () => trainRecommender({ ...benchTraining('sasrec'), split, maxSteps }));
  const [cpu, gpuRun] = [await run('cpu', 3), await run('webgpu', 3)];
  cpu.losses.forEach((l, i) => {
    // float32 sums in another order, carried through AdamW for two steps
    if (!(Math.abs(gpuRun.losses[i]! - l) <= 1e-3 * Math.abs(l)))
      throw new Error(`SASRec on webgpu: step ${i + 1}'s loss is ${gpuRun.losses[i]}, the cpu's ${l}`);
  });
  const best = { cpu: 0, webgpu: 0 };
  for (let round = 0; round < opts.rounds; round++)
    for (const backend of ['webgpu', 'cpu'] as const) {
      const r = await run(backend, steps);
      best[backend] = Math.max(best[backend], r.sequences / r.trainSeconds);
    }
  const rows: Row[] = [
    {
      suite: 'rec-webgpu',
      case: 'sasrec',
      ours: best.webgpu,
      reference: best.cpu,
      unit: 'seq/s',
      extra: { 'ms/epoch (webgpu)': ((1000 * train) / best.webgpu).toFixed(0), 'ms/epoch (cpu)': ((1000 * train) / best.cpu).toFixed(0) },
    },
  ];
  report(rows, opts.json, [
    `SASRec training on webgpu (${gpu.description}) beside the cpu backend (${native.isa().active}, ${opts.threads} threads): ` +
      `generated sequences of Beauty's shape (${train} per epoch, ${split.items - 1} items), batch 128, ${steps} steps per round, best of ${opts.rounds}`,
    'hidden 64, 2 blocks, 1 head, length 50, dropout 0.5, full softmax',
  ]);
  await gpu.sync();
  gpu.destroy();
}
