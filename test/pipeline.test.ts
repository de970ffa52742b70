import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy } from '../ts/io/npy.js';
import { readSafetensors } from '../ts/io/safetensors.js';
import { UbpAutoencoder, type UbpConfig } from '../ts/ubp/model.js';
import { runPipeline } from '../ts/ubp/pipeline.js';
import { ablation, readMembers } from '../ts/ubp/ablation.js';
import { selectMembers } from '../ts/ubp/select.js';
import { readRelevantClients } from '../ts/data/inputs.js';
import { evaluateEmbeddings, scoreSum } from '../ts/ubp/universal.js';
import { loadCheckpoint } from '../ts/train/checkpoint.js';
import { runCli } from '../ts/cli/program.js';
import { MEMBER_COLUMNS } from '../ts/ubp/members.js';
import { STATISTICS } from '../ts/ubp/statistics.js';

const out = mkdtempSync(join(tmpdir(), 'seqcore-pipeline-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('System 1 end to end (tiny)', () => {
  it('generate → targets → ingest → baseline → train → embed → export → evaluate', async () => {
    const r = await runPipeline({
      out,
      clients: 1500,
      epochs: 1,
      pca: 8,
      evalHidden: 16,
      evalInner: 32,
      evalEpochs: 1,
      seed: 3,
      log: () => {},
    }); // every default member

    const tasks = ['churn', 'category propensity', 'sku propensity', 'conversion (hidden)', 'new sku propensity (hidden)', 'price propensity (hidden)'];
    expect(r.results.map(([n]) => n)).toEqual([
      "organisers' baseline",
      'autoencoder (small)',
      'autoencoder (dayEvent)',
      'next sku',
      'next url',
      'text (offline TF-IDF + SVD)',
      'statistics',
      'ALS user×category',
      'ALS user×url',
      'ensemble',
    ]);
    for (const [, rs] of r.results) expect(rs.map((t) => t.task)).toEqual(tasks);
    for (const t of r.results.flatMap(([, rs]) => rs)) {
      expect(t.score).toBeGreaterThan(0);
      expect(t.score).toBeLessThanOrEqual(1);
    }
    const emb = readNpy(join(out, 'ae-small', 'embeddings.npy')),
      ids = readNpy(join(out, 'ae-small', 'client_ids.npy'));
    expect(emb.dtype).toBe('float16');
    expect(emb.shape[0]).toBe(ids.shape[0]);
    const ens = readNpy(join(out, 'ensemble', 'embeddings.npy'));
    // two autoencoders' latents by PCA (--pca 8), next sku and url and text by PCA, statistics, two ALS members by PCA
    const D = ens.shape[1]!,
      S = STATISTICS.length,
      at = 2 * 8 + 3 * MEMBER_COLUMNS;
    expect(D).toBe(at + S + 2 * MEMBER_COLUMNS);
    // the statistics enter raw: their block of the ensemble is the member's submission, value for value (float16 bits)
    const stats = readNpy(join(out, 'statistics', 'embeddings.npy')).data as Uint16Array,
      rows = ens.shape[0]!;
    const block = Uint16Array.from({ length: rows * S }, (_, i) => (ens.data as Uint16Array)[Math.floor(i / S) * D + at + (i % S)]!);
    expect(block).toEqual(stats);
    expect(readFileSync(join(out, 'ensemble', 'report.md'), 'utf8')).toContain('The text member took the offline path');
    expect(readFileSync(join(out, 'ensemble', 'report.md'), 'utf8')).toMatch(/\| \*\*sum\*\* \|/);
    expect(existsSync(join(out, 'ae-small-model', 'model.ckpt'))).toBe(true);
    // the best model also as safetensors: the model's parameter names, its config in the metadata
    const st = readSafetensors(join(out, 'ae-small-model', 'model.safetensors'));
    expect(st.metadata.seqcore_model).toBe('ubp');
    const model = new UbpAutoencoder(JSON.parse(st.metadata.config!) as UbpConfig);
    expect([...st.tensors.keys()].sort()).toEqual(
      model
        .namedParameters()
        .map(([n]) => n)
        .sort(),
    );
    model.dispose();
    for (const f of ['scores.png', 'training_loss.png'])
      expect(
        readFileSync(join(out, 'ensemble', f))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
  });

  it('ubp ablation: the ensemble, without each member, each member alone, mean ± std over seeds', async () => {
    const rows = await ablation({ run: out, seeds: [1, 2], evalHidden: 16, evalInner: 32, evalEpochs: 1 });
    const members = readMembers(out);
    expect(members).toHaveLength(8);
    expect(rows!.map((r) => r.name)).toEqual(['ensemble', ...members.map((m) => `without ${m.name}`), ...members.map((m) => `${m.name} alone`)]);
    // the ensemble without the first autoencoder is narrower by its 8 columns (PCA)
    expect(readNpy(join(out, 'ensemble', 'embeddings.npy')).shape[1]! - readNpy(join(out, 'ablation', 'without-1', 'embeddings.npy')).shape[1]!).toBe(8);
    // the ensemble it scores is rebuilt from the run's members: the run's own, bit for bit
    expect(readFileSync(join(out, 'ablation', 'ensemble', 'embeddings.npy')).equals(readFileSync(join(out, 'ensemble', 'embeddings.npy')))).toBe(true);
    // a member alone: the mean and sample std of its scores over the two seeds
    const alone = rows!.find((r) => r.name === 'statistics alone')!;
    const sumsOf = async (embeddings: string) => {
      const ev = (seed: number) =>
        evaluateEmbeddings({ data: join(out, 'data'), targets: join(out, 'targets'), embeddings, hidden: 16, inner: 32, epochs: 1, seed });
      return [await ev(1), await ev(2)].map(scoreSum);
    };
    const sums = await sumsOf(join(out, 'statistics'));
    const sum = alone.scores.at(-1)!;
    expect(sum.task).toBe('sum');
    expect(sum.mean).toBeCloseTo((sums[0]! + sums[1]!) / 2, 12);
    expect(sum.std).toBeCloseTo(Math.abs(sums[0]! - sums[1]!) / Math.SQRT2, 12);
    // its difference from the ensemble's sum with the same seed
    const ens = await sumsOf(join(out, 'ablation', 'ensemble'));
    const d = [sums[0]! - ens[0]!, sums[1]! - ens[1]!];
    expect(rows![0]!.delta).toBeUndefined();
    expect(alone.delta!.mean).toBeCloseTo((d[0]! + d[1]!) / 2, 12);
    expect(alone.delta!.std).toBeCloseTo(Math.abs(d[0]! - d[1]!) / Math.SQRT2, 12);
    expect(readFileSync(join(out, 'ablation', 'ablation.md'), 'utf8')).toContain('| statistics alone |');
  }, 300_000);

  it('members chosen on a training-window holdout, never reading the validation window; never worse there than the best member', async () => {
    const members = readMembers(out);
    const hidden = join(out, 'targets', 'validation_target.hidden');
    renameSync(join(out, 'targets', 'validation_target'), hidden); // reading it would fail
    try {
      const s = (await selectMembers({
        members,
        relevant: readRelevantClients(join(out, 'data')),
        data: join(out, 'data'),
        targets: join(out, 'targets'),
        work: join(out, 'selection'),
        evalHidden: 16,
        evalInner: 32,
        evalEpochs: 1,
        seed: 3,
      }))!;
      expect(s.scores[0]!.name).toBe('all members');
      expect(s.scores.filter((c) => c.name.startsWith('without '))).toHaveLength(members.length);
      const alone = s.scores.filter((c) => c.name.endsWith(' alone, normalised'));
      expect(alone).toHaveLength(members.length);
      const chosen = s.scores.find((c) =>
        s.chosen.length === members.length
          ? c.name === 'all members'
          : s.chosen.length === 1
            ? c.name === `${s.chosen[0]!.name} alone, normalised`
            : c.name.startsWith('kept: '),
      )!;
      for (const c of [...alone, s.scores[0]!]) expect(chosen.sum).toBeGreaterThanOrEqual(c.sum);
    } finally {
      renameSync(hidden, join(out, 'targets', 'validation_target'));
    }
  }, 300_000);

  it('interrupted at any point (first step, mid-training, between evaluations) and rerun, it writes the same report', async () => {
    // the members that train (small autoencoder, next-sku transformer) and those computed after
    const members = ['ae-small', 'next-sku', 'statistics', 'als-category'] as const;
    const opts = { clients: 1500, epochs: 1, members, pca: 8, evalHidden: 16, evalInner: 32, evalEpochs: 1, seed: 3, log: () => {} } as const;
    const ref = join(out, 'reference');
    let calls = 0; // the checks for Ctrl-C a whole run makes
    await runPipeline({ ...opts, out: ref, shouldStop: () => (calls++, false) });
    const steps = loadCheckpoint(join(ref, 'ae-small-model', 'checkpoint.ckpt')).meta.step as number;
    // the first step, mid autoencoder, mid next-sku transformer, between evaluations
    for (const stop of [1, 3, steps + 2, calls - 2]) {
      const cut = join(out, `cut-${stop}`);
      let n = 0;
      const r = await runPipeline({ ...opts, out: cut, shouldStop: () => ++n >= stop });
      expect(r.interrupted).toBe(true);
      expect((await runPipeline({ ...opts, out: cut })).interrupted).toBe(false);
      for (const f of ['report.md', 'report.html', 'scores.png', 'training_loss.png'])
        expect(readFileSync(join(cut, 'ensemble', f)).equals(readFileSync(join(ref, 'ensemble', f))), `stop ${stop}: ${f}`).toBe(true);
    }
  }, 300_000);

  it('`seqcore ubp ensemble` rebuilds the same ensemble from the cache and the latents', async () => {
    const run = join(out, 'ae-stats-als');
    const opts = { clients: 1500, epochs: 1, pca: 8, evalHidden: 16, evalInner: 32, evalEpochs: 1, seed: 3, log: () => {} } as const;
    await runPipeline({ ...opts, out: run, members: ['ae-small', 'statistics', 'als-category', 'als-url'] });
    const cli = join(out, 'cli');
    const code = await runCli(
      ['ubp', 'ensemble', '--events', join(run, 'events.seq'), '--out', cli, '--embeddings', join(run, 'ae-small'), '--pca', '8', '--seed', '3'],
      () => false,
    );
    expect(code).toBe(0);
    for (const f of ['client_ids.npy', 'embeddings.npy'])
      expect(readFileSync(join(cli, 'ensemble', f)).equals(readFileSync(join(run, 'ensemble', f)))).toBe(true);
  }, 120_000);

  it('`seqcore ubp eval` writes the report next to the embeddings, beside the baseline', async () => {
    const emb = join(out, 'cli', 'ensemble');
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)) > 0) as typeof process.stdout.write;
    let code: number;
    try {
      code = await runCli(
        [
          'ubp',
          'eval',
          '--dir',
          join(out, 'data'),
          '--targets',
          join(out, 'targets'),
          '--embeddings',
          emb,
          '--baseline',
          join(out, 'baseline'),
          '--eval-hidden',
          '16',
          '--eval-inner',
          '32',
          '--eval-epochs',
          '1',
          '--json',
        ],
        () => false,
      );
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    // --json: JSON Lines, every task labelled by its embedding, one result object last
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const tasks = objects.slice(0, -1);
    expect(new Set(tasks.map((o) => o.embedding))).toEqual(new Set(['embeddings', 'baseline']));
    expect(tasks.length % 2).toBe(0);
    expect(Object.keys(objects.at(-1)!)).toEqual(['report', 'html', 'sums']);
    const report = readFileSync(join(emb, 'report.md'), 'utf8');
    expect(report).toMatch(/\| task \| baseline \| embeddings \|/);
    expect(report).toMatch(/\| \*\*sum\*\* \| [0-9.]+ \| [0-9.]+ \|/);
    for (const f of ['scores.png', 'training_loss.png']) expect(readFileSync(join(emb, f)).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(emb, 'report.html'), 'utf8')).toContain('<svg');
  });
});
