// Training parity: a model trained on a backend for STEPS steps from one seed follows the cpu's
// loss curve step by step. Same data, initial weights, batches and dropout masks (a hash of
// seed and index on every backend), so the losses differ only by float32 rounding.
import { Adam, looSplit, manualSeed, PackedLayout, Rng, TOKEN, trainRecommender, UBP_CONFIGS, UbpAutoencoder } from '../../ts/index.js';
import { onBackend } from '../../ts/backend/use.js';
import type { TokenBatch } from '../../ts/ubp/model.js';
import { trainStep } from '../../ts/train/step.js';
import { expectClose } from '../numeric.js';
import type { Case } from './case.js';

const STEPS = 20,
  SEED = 3;

export function parityCases(backend: string): Case[] {
  return [
    { name: `UBP autoencoder (small preset): ${STEPS} steps follow the cpu's losses`, run: () => parity(backend, 'UBP autoencoder', ubpLosses) },
    { name: `SASRec: ${STEPS} steps follow the cpu's losses`, run: () => parity(backend, 'SASRec', sasrecLosses) },
  ];
}

async function parity(backend: string, model: string, losses: (backend: string) => Promise<number[]>): Promise<void> {
  const want = await losses('cpu'),
    got = await losses(backend);
  if (want.length !== STEPS) throw new Error(`cpu ${model}: ${want.length} training steps, expected ${STEPS}`);
  // Sums in another order (tiled GEMM, tree reductions, atomic adds) differ in the last bits,
  // and Adam carries those differences through every step. Measured, webgpu on llvmpipe:
  // 1.3e-6 (UBP), 4e-7 (SASRec).
  expectClose(got, want, 0, 1e-4, `${backend} ${model} training loss per step`);
}

// The small preset (7 fields summed, E = H = 64, one GRU layer) over vocabularies of 10 … 60
// tokens; STEPS batches of 6 sequences: start, 1 … 3 events, end, as ts/ubp/batcher.ts packs
// them. Short: on llvmpipe every GRU time step costs a few dispatches (~0.2 s a training step).
const UBP = UBP_CONFIGS.small;
const VOCAB: Record<(typeof UBP.fields)[number], number> = { event: 10, category: 20, price: 30, sku: 60, url: 40, week: 12, day: 50 };

function tokenBatch(rng: Rng): TokenBatch {
  const layout = PackedLayout.fromLengths(Array.from({ length: 6 }, () => 3 + rng.int(3)));
  const ids = Object.fromEntries(
    UBP.fields.map((f) => {
      const out = new Int32Array(layout.total);
      layout.lengths.forEach((n, b) => {
        for (let t = 0; t < n; t++) out[layout.row(b, t)] = t === 0 ? TOKEN.start : t === n - 1 ? TOKEN.end : TOKEN.first + rng.int(VOCAB[f] - TOKEN.first);
      });
      return [f, out];
    }),
  );
  return { layout, ids };
}

const batchRng = new Rng(SEED);
const UBP_BATCHES = Array.from({ length: STEPS }, () => tokenBatch(batchRng));

function ubpLosses(backend: string): Promise<number[]> {
  return onBackend(backend, async () => {
    manualSeed(SEED);
    const model = new UbpAutoencoder({ ...UBP, fields: [...UBP.fields], vocab: VOCAB });
    const opt = new Adam(model.parameters(), { lr: 3e-3 });
    const losses: number[] = [];
    for (const b of UBP_BATCHES) losses.push(await trainStep(() => model.loss(b), opt));
    opt.dispose();
    model.dispose();
    return losses;
  });
}

// SASRec (2 blocks, hidden 16, dropout and attention dropout 0.1) on 160 users walking a cycle
// through 20 items (4 … 9 items each), in batches of 8: one epoch of STEPS steps, stopped
// before the validation that would follow it.
const sequences = Array.from({ length: 8 * STEPS }, (_, u) => Int32Array.from({ length: 4 + (u % 6) }, (_, k) => 1 + ((u * 7 + k) % 20)));
const SPLIT = looSplit({ users: sequences.map((_, u) => u + 1), sequences, items: 21 });

async function sasrecLosses(backend: string): Promise<number[]> {
  const r = await onBackend(backend, () =>
    trainRecommender({
      split: SPLIT,
      model: { kind: 'sasrec', hidden: 16, blocks: 2, heads: 2, maxLen: 8, dropout: 0.1, attentionDropout: 0.1, ffnMultiplier: 2, activation: 'gelu' },
      epochs: 1,
      batch: 8,
      lr: 0.01,
      weightDecay: 0.01,
      clip: 1,
      seed: SEED,
      patience: 1,
      negatives: 0,
      maskProb: 0,
      excludeHistory: true,
      maxSteps: STEPS,
    }),
  );
  r.model.dispose();
  return r.losses;
}
