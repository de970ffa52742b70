import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../ts/data/generate.js';
import { EventCache, ingest } from '../ts/data/ingest.js';
import { npyFloat32, readNpy } from '../ts/io/npy.js';
import { UbpAutoencoder } from '../ts/ubp/model.js';
import { embedUbp, trainUbp, type UbpTrainOptions } from '../ts/ubp/train.js';
import { loadCheckpoint, saveCheckpoint } from '../ts/train/checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-ubp-'));
const cache = join(dir, 'cache.seq');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await generate({ clients: 400, out: join(dir, 'data'), seed: 5 });
  await ingest({ dir: join(dir, 'data'), out: cache, topK: 50 });
});

const base = (out: string): UbpTrainOptions => ({
  cache,
  out,
  model: { fields: ['event', 'category', 'sku'], embed: 16, combine: 'sum', hidden: 16, layers: 2, dropout: 0.1 },
  batchSize: 32,
  lr: 3e-3,
  epochs: 2,
  maxEvents: 40,
  valFraction: 0.1,
  patience: 5,
  seed: 7,
  resume: false,
  log: () => {},
});

describe('UBP autoencoder', () => {
  it('--profiler times the training steps of the first epoch only, and says how many', async () => {
    const lines: string[] = [];
    const out = join(dir, 'profiled');
    await trainUbp({ ...base(out), epochs: 2, profile: true, log: (l) => lines.push(l) });
    // 400 clients, 10 % held out, batches of 32: 12 batches an epoch, the first 2 warm-up
    const batches = Number(/(\d+) batches per epoch/.exec(lines.join('\n'))![1]);
    expect(batches).toBeLessThan(22);
    expect(lines.join('\n')).toContain(`profile of ${batches - 2} training steps (after 2 warm-up steps), per kernel:`);
    expect(JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'))).toBeTruthy();
  });

  it('learns: the training loss falls well below its start', async () => {
    const r = await trainUbp({ ...base(join(dir, 'learn')), epochs: 4 });
    const first = r.losses.slice(0, 3).reduce((a, b) => a + b) / 3,
      last = r.losses.slice(-3).reduce((a, b) => a + b) / 3;
    expect(last).toBeLessThan(0.7 * first);
    expect(r.valLosses).toHaveLength(4);
    expect(r.valLosses[3]!).toBeLessThan(r.valLosses[0]!);
  });

  it('resumes bit-identical from an interrupt at any point: first step, end of an epoch, mid-epoch, twice', async () => {
    const ref = join(dir, 'straight');
    const straight = await trainUbp(base(ref));
    const perEpoch = straight.steps / 2;
    for (const [name, stops] of [
      ['first step', [1]],
      ['end of epoch 1', [perEpoch]],
      ['mid-epoch 2', [perEpoch + 3]],
      ['twice', [2, perEpoch + 1]],
    ] as const) {
      const out = join(dir, `cut-${name}`);
      let prev = 0;
      for (const stop of stops) {
        let n = 0;
        const cut = await trainUbp({ ...base(out), resume: true, shouldStop: () => ++n >= stop - prev });
        expect(cut.interrupted, name).toBe(true);
        expect(cut.steps, name).toBe(stop);
        prev = stop;
      }
      const resumed = await trainUbp({ ...base(out), resume: true });
      // The result holds the whole run's losses, those of the interrupted calls included.
      expect(resumed.losses, name).toEqual(straight.losses);
      expect(resumed.valLosses, name).toEqual(straight.valLosses);
      for (const f of ['checkpoint.ckpt', 'model.ckpt']) expect(readFileSync(join(out, f)).equals(readFileSync(join(ref, f))), `${name}: ${f}`).toBe(true);
    }
    // A finished run resumed has nothing left to do (its last checkpoint points past the end).
    const again = await trainUbp({ ...base(join(dir, 'straight')), resume: true });
    expect(again.losses).toEqual(straight.losses);
    expect(again.steps).toBe(straight.steps);
  });

  it('resumes a checkpoint of an older version that stored the best loss Infinity as null', async () => {
    const ref = join(dir, 'straight-null'),
      out = join(dir, 'cut-null');
    await trainUbp(base(ref));
    let n = 0;
    await trainUbp({ ...base(out), shouldStop: () => ++n >= 1 });
    const ckpt = join(out, 'checkpoint.ckpt'),
      ck = loadCheckpoint(ckpt);
    expect(ck.meta.bestVal).toBe(Infinity);
    saveCheckpoint(ckpt, { ...ck, meta: { ...ck.meta, bestVal: null } }); // as JSON.stringify wrote Infinity
    const resumed = await trainUbp({ ...base(out), resume: true });
    expect(resumed.interrupted).toBe(false);
    for (const f of ['checkpoint.ckpt', 'model.ckpt']) expect(readFileSync(join(out, f)).equals(readFileSync(join(ref, f))), f).toBe(true);
  });

  it('refuses settings that would train nothing or validate on nothing', async () => {
    await expect(trainUbp({ ...base(join(dir, 'bad')), epochs: -2 })).rejects.toThrow('ubp train: epochs must be a positive integer, got -2');
    await expect(trainUbp({ ...base(join(dir, 'bad')), valFraction: 0 })).rejects.toThrow('ubp train: valFraction must be in (0, 1), got 0');
    await expect(trainUbp({ ...base(join(dir, 'bad')), valFraction: 1e-9 })).rejects.toThrow(
      /leaves \d+ for training and 0 for validation; each needs at least one/,
    );
  });

  it('embeds every relevant client in order; clients without events get zeros', async () => {
    await trainUbp({ ...base(join(dir, 'emb')), epochs: 1 });
    const c = new EventCache(cache);
    const r = await embedUbp({ cache, model: join(dir, 'emb', 'model.ckpt'), out: join(dir, 'emb', 'out'), batchSize: 64, maxEvents: 40 });
    const ids = readNpy(join(dir, 'emb', 'out', 'client_ids.npy')),
      emb = readNpy(join(dir, 'emb', 'out', 'embeddings.npy'));
    expect(Array.from(ids.data as BigInt64Array)).toEqual(Array.from(c.file.readArray<BigInt64Array>('relevant')));
    expect(emb.shape).toEqual([r.clients, 16]);
    expect(emb.dtype).toBe('float16'); // written as a submission
    const data = npyFloat32(emb);
    expect(data.every(Number.isFinite)).toBe(true);
    expect(data.some((v) => v !== 0)).toBe(true);
  });

  it('runs both published configurations (5 fields E=H=512 L3; day+event E=64+64 H128 L2)', async () => {
    const { UBP_CONFIGS } = await import('../ts/ubp/model.js');
    const { vocabSizes } = await import('../ts/ubp/train.js');
    const { batches } = await import('../ts/ubp/batcher.js');
    const { backward, tidy } = await import('../ts/index.js');
    const c = new EventCache(cache);
    for (const preset of [UBP_CONFIGS.wide, UBP_CONFIGS.dayEvent]) {
      const m = new UbpAutoencoder({ ...preset, fields: [...preset.fields], vocab: vocabSizes(c, preset.fields) });
      const b = batches(c, { batchSize: 4, fields: [...preset.fields] as never, maxEvents: 6 }).next().value!;
      const loss = tidy(() => {
        const l = m.loss(b);
        backward(l);
        return l.item();
      });
      expect(Number.isFinite(loss)).toBe(true);
      expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
      expect(tidy(() => m.encode(b).shape)).toEqual([4, preset.hidden]);
      m.dispose();
    }
  });

  it('checks its configuration', () => {
    expect(
      () => new UbpAutoencoder({ fields: ['event', 'sku'], vocab: { event: 10, sku: 20 }, embed: 8, combine: 'concat', hidden: 8, layers: 1, dropout: 0 }),
    ).toThrow(/adds the latent \(8\) to the token input \(16\)/);
    expect(() => new UbpAutoencoder({ fields: ['event', 'url'], vocab: { event: 10 }, embed: 8, combine: 'sum', hidden: 8, layers: 1, dropout: 0 })).toThrow(
      /no vocabulary size for field 'url'/,
    );
  });
});
