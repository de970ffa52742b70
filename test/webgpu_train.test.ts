// The GRU autoencoder trained on webgpu against the same run on the cpu: same data, seed,
// batches and dropout masks (a hash of seed and index on every backend), so the loss curves
// differ only by float32 rounding (and the order of the embedding gradient's atomic adds).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../ts/data/generate.js';
import { ingest } from '../ts/data/ingest.js';
import { npyFloat32, readNpy } from '../ts/io/npy.js';
import { embedUbp, trainUbp, type UbpTrainOptions } from '../ts/ubp/train.js';
import { expectClose, useWebGpu } from './harness.js';
import { onBackend } from '../ts/backend/use.js';
import { looSplit } from '../ts/rec/split.js';
import { trainRecommender } from '../ts/rec/train.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-webgpu-train-'));
const cache = join(dir, 'cache.seq');
beforeAll(async () => {
  await generate({ clients: 300, out: join(dir, 'data'), seed: 11 });
  await ingest({ dir: join(dir, 'data'), out: cache, topK: 50 });
});
useWebGpu();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (backend: string): UbpTrainOptions => ({
  cache,
  out: join(dir, backend),
  model: { fields: ['event', 'category', 'sku', 'week'], embed: 24, combine: 'sum', hidden: 24, layers: 2, dropout: 0.1 },
  batchSize: 32,
  lr: 3e-3,
  epochs: 2,
  maxEvents: 40,
  valFraction: 0.1,
  patience: 5,
  seed: 3,
  resume: false,
  log: () => {},
  backend,
});

describe('the UBP autoencoder on webgpu', () => {
  it('follows the cpu loss curve step by step, and embeds the same latents', async () => {
    const cpu = await trainUbp(run('cpu'));
    const gpu = await trainUbp(run('webgpu'));
    expect(gpu.losses.length).toBe(cpu.losses.length);
    expect(gpu.losses.length).toBeGreaterThan(10);
    // Tolerance: float32 sums in another order (tiled GEMM, tree reductions, atomic adds)
    // differ in the last bits, and Adam carries those differences through every step.
    // Measured on llvmpipe: at most 4e-6 relative over these 18 steps.
    expectClose(gpu.losses, cpu.losses, 0, 1e-4, 'training loss per step');
    expectClose(gpu.valLosses, cpu.valLosses, 0, 1e-4, 'validation loss per epoch');
    const latents = async (backend: string): Promise<Float32Array> => {
      const out = join(dir, `${backend}-latents`);
      await embedUbp({ cache, model: join(dir, backend, 'model.ckpt'), out, batchSize: 64, maxEvents: 40, backend });
      return npyFloat32(readNpy(join(out, 'embeddings.npy')));
    };
    // float16 output: half a unit in the last place of values below 1 is under 5e-4.
    expectClose(await latents('webgpu'), await latents('cpu'), 2e-3, 2e-3, 'latents');
  });
});

describe('the recommenders on webgpu', () => {
  // Users walking a fixed cycle through 20 items (test/rec_train.test.ts has the same idea).
  const sequences = Array.from({ length: 64 }, (_, u) => Int32Array.from({ length: 4 + (u % 6) }, (_, k) => 1 + ((u * 7 + k) % 20)));
  const split = looSplit({ users: sequences.map((_, u) => u + 1), sequences, items: 21 });
  const profiles = {
    dim: 3,
    vectors: Float32Array.from({ length: 64 * 3 }, (_, i) => Math.sin(i)),
    rowOf: Int32Array.from({ length: 64 }, (_, u) => (u % 3 ? u : -1)),
  };
  for (const kind of ['sasrec', 'gru4rec', 'bert4rec'] as const)
    it(`${kind} follows the cpu loss curve step by step${kind === 'sasrec' ? ' (with attention-pooled distillation)' : ''}`, async () => {
      const run = (backend: string) =>
        onBackend(backend, () =>
          trainRecommender({
            split,
            model: { kind, hidden: 8, blocks: 1, heads: 2, maxLen: 6, dropout: 0.1, attentionDropout: 0.1, ffnMultiplier: 2, activation: 'gelu' },
            epochs: 2,
            batch: 16,
            lr: 0.01,
            weightDecay: 0.01,
            clip: 1,
            seed: 5,
            patience: 5,
            negatives: 0,
            maskProb: 0.3,
            excludeHistory: true,
            distill:
              kind === 'sasrec'
                ? { cfg: { layer: 1, pooling: 'attention', gamma: 0.1, loss: 'mse', alpha: 0.3, ftEpoch: 1, beta: 'scaled' }, profiles }
                : undefined,
          }),
        );
      const cpu = await run('cpu'),
        gpu = await run('webgpu');
      expect(gpu.losses.length).toBe(8);
      // Same tolerance and reason as the autoencoder above.
      expectClose(gpu.losses, cpu.losses, 0, 1e-4, `${kind} training loss per step`);
    }, 120_000);
});
