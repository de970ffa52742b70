import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdamW, backward, manualSeed, native, noGrad, Rng, tensor, tidy } from '../ts/index.js';
import { MarkovSource } from '../ts/example/markov.js';
import { NextEventModel } from '../ts/example/model.js';
import { runExample } from '../ts/example/train.js';

function trainStep(model: NextEventModel, opt: AdamW, src: MarkovSource, rng: Rng, batch: number): number {
  const { context, next } = src.batch(batch, rng);
  return tidy(() => {
    const loss = model.loss(tensor(context, [batch, src.order]), tensor(next));
    backward(loss);
    opt.step();
    opt.zeroGrad();
    return loss.item();
  });
}

describe('training', () => {
  it('a small model reaches the known optimum (the source entropy)', () => {
    manualSeed(11);
    const src = new MarkovSource(8, 1, 0.9, 3);
    const model = new NextEventModel({ vocab: 8, order: 1, embed: 16, hidden: 32, dropout: 0 });
    const opt = new AdamW(model.parameters(), { lr: 0.01, weightDecay: 0 });
    const rng = new Rng(1);
    const first = trainStep(model, opt, src, rng, 256);
    for (let i = 0; i < 400; i++) trainStep(model, opt, src, rng, 256);
    const held = src.batch(8192, new Rng(2));
    const evalLoss = noGrad(() => tidy(() => model.loss(tensor(held.context, [8192, 1]), tensor(held.next)).item()));
    expect(Math.abs(first - Math.log(8))).toBeLessThan(0.3); // starts near a uniform guess
    // The held-out loss of 8192 samples has a standard error of about 0.01 nats.
    expect(evalLoss).toBeLessThan(src.entropy() + 0.05);
    expect(evalLoss).toBeGreaterThan(src.entropy() - 0.05);
    opt.dispose();
    model.dispose();
  });

  it('1,000 steps hold native memory constant and resident memory flat', () => {
    manualSeed(12);
    const src = new MarkovSource(16, 2, 0.8, 4);
    const model = new NextEventModel({ vocab: 16, order: 2, embed: 8, hidden: 32, dropout: 0.1 });
    const opt = new AdamW(model.parameters(), { lr: 0.003, maxGradNorm: 1 });
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) trainStep(model, opt, src, rng, 64); // warm up allocators and JIT
    const live = native.stats(),
      rss = process.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) trainStep(model, opt, src, rng, 64);
    // Every native buffer of a step is freed by tidy: the count and bytes are exactly equal,
    // and the allocator's cache of freed blocks has not grown either.
    const after = native.stats();
    expect([after.liveCount, after.liveBytes]).toEqual([live.liveCount, live.liveBytes]);
    expect(after.cachedBytes).toBeLessThanOrEqual(live.cachedBytes);
    expect(after.scratchBytes).toBeLessThanOrEqual(live.scratchBytes);
    // RSS also carries the JS heap, which the GC grows and shrinks on its own schedule;
    // a leak of one step's buffers would add far more than this over 1,000 steps.
    expect(process.memoryUsage().rss - rss).toBeLessThan(48 * 2 ** 20);
    opt.dispose();
    model.dispose();
  });

  it('an interrupted run resumed from its checkpoint ends exactly where an uninterrupted one does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqcore-'));
    const base = { steps: 40, batch: 32, lr: 0.003, seed: 5, checkpointEvery: 1000, logEvery: 1000, log: () => {} };
    try {
      const straight = await runExample({ ...base, resume: false });
      let n = 0;
      const ckpt = join(dir, 'ex.ckpt');
      const cut = await runExample({ ...base, checkpoint: ckpt, resume: false, shouldStop: () => ++n >= 17 });
      expect(cut.interrupted).toBe(true);
      expect(cut.step).toBe(17);
      const resumed = await runExample({ ...base, checkpoint: ckpt, resume: true });
      expect(resumed.step).toBe(40);
      expect(resumed.evalLoss).toBe(straight.evalLoss);
      expect(resumed.trainLoss).not.toBeNaN();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
