// The sequential recommenders end to end on generated data where the next item is a fixed
// function of the current one (a cycle through the catalogue): every backbone must learn it,
// distillation must run and leave no trace in the saved model, and an interrupted run must
// resume to the result of an uninterrupted one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../ts/index.js';
import { native, Rng } from '../ts/index.js';
import { IGNORE, maskedItemBatch, nextItemBatch, scoringBatch } from '../ts/rec/batch.js';
import { distillFactors, poolingWeights, type DistillConfig, type ProfileTable } from '../ts/rec/distill.js';
import { looSplit, parseInteractions, temporalSplit, type RecSplit } from '../ts/rec/split.js';
import { trainRecommender, type RecTrainOptions } from '../ts/rec/train.js';
import { loadCheckpoint } from '../ts/train/checkpoint.js';
import { PackedLayout } from '../ts/sequence/layout.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Users walking a fixed random cycle through 30 items from random starts. */
function cycleData(users: number, seed = 1): RecSplit {
  const rng = new Rng(seed),
    V = 30,
    perm = rng.shuffle(Array.from({ length: V }, (_, i) => i + 1));
  const next = new Map(perm.map((it, k) => [it, perm[(k + 1) % V]!]));
  const sequences = Array.from({ length: users }, () => {
    const s = [perm[rng.int(V)]!];
    const len = 4 + rng.int(8);
    while (s.length < len) s.push(next.get(s[s.length - 1]!)!);
    return Int32Array.from(s);
  });
  return looSplit({ users: sequences.map((_, u) => u + 1), sequences, items: V + 1 });
}

const base = (split: RecSplit, kind: 'sasrec' | 'gru4rec' | 'bert4rec'): RecTrainOptions => ({
  split,
  model: {
    kind,
    hidden: 16,
    blocks: kind === 'gru4rec' ? 1 : 2,
    heads: 2,
    maxLen: 8,
    dropout: 0.1,
    attentionDropout: 0.1,
    ffnMultiplier: 2,
    activation: 'gelu',
  },
  epochs: 12,
  batch: 32,
  lr: 0.01,
  weightDecay: 0,
  clip: 5,
  seed: 3,
  patience: 50,
  negatives: 0,
  maskProb: 0.3,
  excludeHistory: true,
});

describe('recommender batches', () => {
  const train = [Int32Array.from([5, 6, 7, 8]), Int32Array.from([9, 10])];
  it('next-item: the target of each position is the item after it, windows keep the last maxLen + 1 items, positions end at maxLen − 1', () => {
    const b = nextItemBatch(train, [0, 1], 2);
    expect(Array.from(b.layout.lengths)).toEqual([2, 1]);
    const at = (u: number, t: number): [number, number, number] => {
      const r = b.layout.row(u, t);
      return [b.ids[r]!, b.targets[r]!, b.positions[r]!];
    };
    expect([at(0, 0), at(0, 1), at(1, 0)]).toEqual([
      [6, 7, 0],
      [7, 8, 1],
      [9, 10, 1],
    ]);
  });
  it('masked-item: masked rows carry the mask token and their item as target, others are ignored; one mask at least', () => {
    const b = maskedItemBatch(train, [0, 1], 4, 99, 0.01, new Rng(1));
    for (let u = 0; u < 2; u++) {
      const rows = Array.from({ length: b.layout.lengths[u]! }, (_, t) => b.layout.row(u, t));
      expect(rows.filter((r) => b.ids[r] === 99).length).toBeGreaterThanOrEqual(1);
      rows.forEach((r, t) => expect(b.targets[r]).toBe(b.ids[r] === 99 ? train[u]![t] : IGNORE));
    }
  });
  it('scoring: BERT4Rec appends the mask token within maxLen', () => {
    const b = scoringBatch([Int32Array.from([1, 2, 3, 4])], [0], 3, 50);
    expect(Array.from(b.ids)).toEqual([3, 4, 50]);
    expect(Array.from(scoringBatch([Int32Array.from([7])], [0], 3).positions)).toEqual([2]);
  });
});

describe('recommenders learn a deterministic next-item rule', () => {
  for (const kind of ['sasrec', 'gru4rec', 'bert4rec'] as const)
    it(`${kind}: test HR@5 > 0.9 (full ranking, history excluded)`, async () => {
      const r = await trainRecommender(base(cycleData(240), kind));
      expect(r.test!['HR@5']).toBeGreaterThan(0.9);
      expect(r.test!['NDCG@10']).toBeLessThanOrEqual(r.test!['HR@10']);
    }, 120_000);

  it('sampled softmax (8 negatives) learns it too', async () => {
    const r = await trainRecommender({ ...base(cycleData(240), 'sasrec'), negatives: 8 });
    expect(r.test!['HR@5']).toBeGreaterThan(0.9);
  }, 120_000);
});

describe('memory', () => {
  it('a run stopped early (maxSteps) or interrupted leaves nothing live but the model it returns', async () => {
    for (const stop of [{ maxSteps: 3 }, { shouldStop: () => true }]) {
      const before = native.stats().liveCount;
      const r = await trainRecommender({ ...base(cycleData(64), 'sasrec'), ...stop });
      r.model.dispose();
      expect(native.stats().liveCount, JSON.stringify(Object.keys(stop))).toBe(before);
    }
  }, 60_000);
});

describe('distillation', () => {
  it('pooling weights: mean, exponential exp(γt) and last, per sequence over its packed rows', () => {
    const l = PackedLayout.fromLengths([3, 1]);
    const w = (p: 'mean' | 'exp' | 'last'): number[][] =>
      [0, 1].map((b) => Array.from({ length: l.lengths[b]! }, (_, t) => poolingWeights(l, p, 0.5)[b * l.total + l.row(b, t)]!));
    expect(w('mean')[0]!.map((x) => x.toFixed(6))).toEqual(['0.333333', '0.333333', '0.333333']);
    const z = 1 + Math.exp(0.5) + Math.exp(1);
    w('exp')[0]!.forEach((x, t) => expect(x).toBeCloseTo(Math.exp(0.5 * t) / z, 6));
    expect(w('last')).toEqual([[0, 0, 1], [1]]);
  });

  it('RMSE and 1 − cosine: value, gradient factor and β', () => {
    const c = (loss: DistillConfig['loss'], beta: DistillConfig['beta']): DistillConfig => ({
      layer: 1,
      pooling: 'mean',
      gamma: 0.1,
      loss,
      alpha: 0.4,
      ftEpoch: 2,
      beta,
    });
    const m = 0.36,
      h = 1e-6;
    const f = distillFactors(c('rmse', 'scaled'), m, 1.2);
    expect(f.value).toBeCloseTo(0.6, 12);
    expect(f.factor).toBeCloseTo((Math.sqrt(m + h) - Math.sqrt(m - h)) / (2 * h), 6); // d√m/dm by central differences
    expect(f.beta).toBeCloseTo(2, 12);
    expect(distillFactors(c('cosine', 'one'), 0.75, 3)).toEqual({ value: 0.25, factor: -1, beta: 1 });
  });

  it('early stopping and learning-rate decay wait for the end of distillation (E_ft)', async () => {
    const split = cycleData(120),
      rng = new Rng(4);
    const profiles: ProfileTable = {
      dim: 4,
      vectors: Float32Array.from({ length: 120 * 4 }, () => rng.normal()),
      rowOf: Int32Array.from(split.users, (_, u) => u),
    };
    // α 1: nothing but distillation until E_ft
    const cfg: DistillConfig = { layer: 1, pooling: 'mean', gamma: 0.1, loss: 'mse', alpha: 1, ftEpoch: 4, beta: 'scaled' };
    const lines: string[] = [];
    // patience 1: any epoch without a better NDCG@10 would stop the run if distillation epochs counted
    // lr 1e-30: the weights cannot move, so every epoch after the first is a plateau
    const r = await trainRecommender({
      ...base(split, 'sasrec'),
      epochs: 6,
      lr: 1e-30,
      patience: 1,
      lrDecay: 0.5,
      decayPatience: 1,
      distill: { cfg, profiles },
      log: (l) => lines.push(l),
    });
    const epochs = lines.filter((l) => /^epoch \d+:/.test(l));
    expect(epochs.slice(0, cfg.ftEpoch).some((l) => l.includes('(best'))).toBe(true); // a plateau while distilling…
    expect(epochs.length).toBeGreaterThan(cfg.ftEpoch); // …did not stop the run
    const endOfDistillation = lines.indexOf(epochs[cfg.ftEpoch - 1]!);
    lines.forEach((l, i) => {
      if (l.startsWith('no better')) expect(i).toBeGreaterThan(endOfDistillation);
    });
    expect(r.epochsRun).toBeGreaterThan(cfg.ftEpoch);
  }, 120_000);

  for (const pooling of ['mean', 'attention'] as const)
    it(`${pooling} pooling: trains with profiles for half the users, distils only before E_ft, saves no trace of the profile path`, async () => {
      const split = cycleData(120),
        p = 5,
        rng = new Rng(9);
      const profiles: ProfileTable = {
        dim: p,
        vectors: Float32Array.from({ length: 60 * p }, () => rng.normal()),
        rowOf: Int32Array.from(split.users, (_, u) => (u % 2 ? (u - 1) / 2 : -1)),
      };
      const lines: string[] = [],
        out = join(dir, `distil-${pooling}`);
      const cfg: DistillConfig = { layer: 1, pooling, gamma: 0.1, loss: 'rmse', alpha: 0.5, ftEpoch: 2, beta: 'scaled' };
      const r = await trainRecommender({ ...base(split, 'sasrec'), epochs: 3, distill: { cfg, profiles }, checkpoint: out, log: (l) => lines.push(l) });
      const epochs = lines.filter((l) => /^epoch \d+:/.test(l));
      expect(epochs.map((l) => l.includes('distil'))).toEqual([true, true, false]);
      expect(r.test!['HR@10']).toBeGreaterThan(0);
      const saved = [...loadCheckpoint(`${out}.best`).arrays.keys()];
      expect(saved.length).toBeGreaterThan(0);
      expect(saved.every((k) => k.startsWith('model.') && !k.includes('distill'))).toBe(true);
      expect([...loadCheckpoint(out).arrays.keys()].some((k) => k.includes('distill'))).toBe(true); // the training state keeps T for resuming
    }, 120_000);
});

describe('early stopping', () => {
  it('scores the test on the best validation epoch, not the last (kept in memory without a checkpoint)', async () => {
    const lines: string[] = [];
    // lr 2 is far too large: this run peaks at its first epoch (0.23) and the last is worse
    // by ~0.07 (checked below), so returning the last model would fail this test. (At lr 0.1
    // runs now improve to the end; attention dropout stays off, as when that was chosen. With
    // the GELU's erf computed by fast_erf, lr 1's run, chosen before, peaked at its last epoch.)
    const o = base(cycleData(150), 'sasrec');
    const r = await trainRecommender({ ...o, model: { ...o.model, attentionDropout: 0 }, epochs: 6, lr: 2, log: (l) => lines.push(l) });
    const scores = lines.flatMap((l) => /^epoch \d+: .*valid NDCG@10 ([\d.]+)/.exec(l)?.[1] ?? []).map(Number);
    expect(scores.length).toBe(6);
    expect(scores[5]).toBeLessThan(Math.max(...scores));
    expect(r.valid!['NDCG@10'].toFixed(4)).toBe(Math.max(...scores).toFixed(4));
    expect(r.bestEpoch).toBe(scores.indexOf(Math.max(...scores)));
  }, 120_000);
});

describe('learning-rate decay on plateau', () => {
  it('halves the learning rate after each decayPatience epochs without a better NDCG@10', async () => {
    const lines: string[] = [];
    await trainRecommender({ ...base(cycleData(150), 'sasrec'), epochs: 6, lr: 0.1, lrDecay: 0.5, decayPatience: 1, log: (l) => lines.push(l) });
    const bad = lines.filter((l) => /^epoch \d+: .*\(best/.test(l)).length;
    const decays = lines.filter((l) => l.startsWith('no better validation NDCG@10'));
    expect(bad).toBeGreaterThan(0);
    expect(decays.length).toBe(bad);
    expect(decays.map((l) => Number(/learning rate ([\d.e-]+)/.exec(l)![1]))).toEqual(decays.map((_, k) => 0.1 * 0.5 ** (k + 1)));
  }, 120_000);
});

describe('interrupt and resume', () => {
  // 150 users in batches of 32: 5 steps an epoch. Stops after the first step, at the end of
  // epoch 1 (before its validation), in the middle of epoch 2, and twice in one run.
  const STOPS: [string, number[]][] = [
    ['first step', [1]],
    ['end of the first epoch', [5]],
    ['mid-epoch', [7]],
    ['twice', [2, 6]],
  ];
  for (const kind of ['sasrec', 'gru4rec', 'bert4rec'] as const) {
    it(`${kind}: a run stopped at any point and resumed ends bit-identical to an uninterrupted run`, async () => {
      const split = cycleData(150),
        opts = { ...base(split, kind), epochs: 3 };
      const ref = join(dir, `${kind}-full`, 'train.ckpt');
      const full = await trainRecommender({ ...opts, checkpoint: ref });
      for (const [name, stops] of STOPS) {
        const ck = join(dir, `${kind}-${name}`, 'train.ckpt');
        const losses: number[] = [];
        for (const stop of stops) {
          let steps = 0;
          const cut = await trainRecommender({
            ...opts,
            checkpoint: ck,
            resume: true,
            shouldStop: () => ++steps === stop - (stops[stops.indexOf(stop) - 1] ?? 0),
          });
          expect(cut.interrupted, name).toBe(true);
          losses.push(...cut.losses);
        }
        const resumed = await trainRecommender({ ...opts, checkpoint: ck, resume: true });
        expect(resumed.test, name).toEqual(full.test);
        // Each run went on from the step where the previous one stopped: no step done twice.
        expect([...losses, ...resumed.losses], name).toEqual(full.losses);
        for (const f of [ck, `${ck}.best`]) expect(readFileSync(f).equals(readFileSync(f === ck ? ref : `${ref}.best`)), `${name}: ${f}`).toBe(true);
      }
    }, 120_000);
  }

  it('refuses to resume with settings that change the batches or the model, naming them', async () => {
    const split = cycleData(60),
      ck = join(dir, 'other-settings', 'train.ckpt');
    let steps = 0;
    await trainRecommender({ ...base(split, 'sasrec'), epochs: 2, checkpoint: ck, shouldStop: () => ++steps === 1 });
    await expect(trainRecommender({ ...base(split, 'sasrec'), epochs: 2, batch: 16, checkpoint: ck, resume: true })).rejects.toThrow(
      `${ck}: written by a run with other settings (batch 32 there, 16 now)`,
    );
    // More epochs is a legitimate way to go on.
    expect((await trainRecommender({ ...base(split, 'sasrec'), epochs: 3, checkpoint: ck, resume: true })).epochsRun).toBe(3);
  }, 120_000);

  it('a mid-epoch checkpoint every step (as a SIGKILL would find it) resumes bit-identical', async () => {
    const split = cycleData(150),
      opts = { ...base(split, 'sasrec'), epochs: 2 };
    const ref = join(dir, 'kill-full', 'train.ckpt'),
      ck = join(dir, 'kill', 'train.ckpt');
    await trainRecommender({ ...opts, checkpoint: ref });
    let steps = 0;
    // Stopped without the interrupt's own save: the periodic checkpoint after step 7 (epoch 2, step 2) is what is left.
    await trainRecommender({
      ...opts,
      checkpoint: ck,
      checkpointSeconds: 0,
      shouldStop: () => {
        if (++steps === 8) throw new Error('killed');
        return false;
      },
    }).catch(() => {});
    expect((loadCheckpoint(ck).meta.within as { done: number }).done).toBe(2);
    await trainRecommender({ ...opts, checkpoint: ck, resume: true });
    expect(readFileSync(ck).equals(readFileSync(ref))).toBe(true);
  }, 120_000);
});

describe('splits', () => {
  it('temporal global split: training before t_valid, the first item after each cut-off as target', () => {
    const rows = ['user,item,timestamp'];
    for (let u = 1; u <= 4; u++) for (let k = 0; k < 5; k++) rows.push(`${u},${u + k},${u * 10 + k * 20}`);
    const s = temporalSplit(parseInteractions(rows.join('\n')), 0.5, 0.75);
    // timestamps 10…120; t_valid = 60th-percentile element, t_test likewise
    const all = rows
      .slice(1)
      .map((r) => Number(r.split(',')[2]))
      .sort((a, b) => a - b);
    const tv = all[10]!,
      tt = all[15]!;
    s.train.forEach((seq, u) => seq.forEach((item) => expect((u + 1) * 10 + (item - u - 1) * 20).toBeLessThan(tv)));
    for (const c of s.test) expect(c.input.length).toBeGreaterThan(0);
    expect(s.test.every((c) => c.target === c.input[c.input.length - 1]! + 1)).toBe(true);
    expect(tt).toBeGreaterThan(tv);
  });
  it('names the line and field of bad input', () => {
    expect(() => parseInteractions('user,item,timestamp\n1,2,3\n1,x,4', 'f.csv')).toThrow("f.csv:3: field 'item' ('x') is not a positive integer id");
    expect(() => parseInteractions('user,item\n1,2', 'g.csv')).toThrow("g.csv:1: the header needs a 'timestamp' column");
  });
});
