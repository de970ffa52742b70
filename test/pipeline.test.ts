import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy } from '../ts/data/npy.js';
import { readSafetensors } from '../ts/data/safetensors.js';
import { UbpAutoencoder, type UbpConfig } from '../ts/models/ubp.js';
import { runPipeline } from '../ts/ubp/pipeline.js';
import { loadCheckpoint } from '../ts/train/checkpoint.js';
import { runCli } from '../ts/cli/program.js';
import { ALS_ENSEMBLE_COLUMNS } from '../ts/ubp/members.js';
import { STATISTICS } from '../ts/ubp/statistics.js';

const out = mkdtempSync(join(tmpdir(), 'seqcore-pipeline-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('System 1 end to end (tiny)', () => {
  it('generate → targets → ingest → baseline → train → embed → export → evaluate', async () => {
    const r = await runPipeline({
      out,
      clients: 1500,
      epochs: 1,
      model: 'small',
      pca: 8,
      evalHidden: 16,
      evalInner: 32,
      evalEpochs: 1,
      seed: 3,
      log: () => {},
    });
    const tasks = ['churn', 'category propensity', 'sku propensity', 'conversion (hidden)', 'new sku propensity (hidden)', 'price propensity (hidden)'];
    expect(r.results.map(([n]) => n)).toEqual(["organisers' baseline", 'UBP autoencoder', 'statistics', 'ALS user×category', 'ALS user×url', 'ensemble']);
    for (const [, rs] of r.results) expect(rs.map((t) => t.task)).toEqual(tasks);
    for (const t of r.results.flatMap(([, rs]) => rs)) {
      expect(t.score).toBeGreaterThan(0);
      expect(t.score).toBeLessThanOrEqual(1);
    }
    const emb = readNpy(join(out, 'ubp', 'embeddings.npy')),
      ids = readNpy(join(out, 'ubp', 'client_ids.npy'));
    expect(emb.dtype).toBe('float16');
    expect(emb.shape[0]).toBe(ids.shape[0]);
    const ens = readNpy(join(out, 'ensemble', 'embeddings.npy'));
    expect(ens.shape[1]).toBe(8 + STATISTICS.length + 2 * ALS_ENSEMBLE_COLUMNS); // latents by PCA + statistics + two ALS members by PCA
    expect(readFileSync(join(out, 'ensemble', 'report.md'), 'utf8')).toMatch(/\| \*\*sum\*\* \|/);
    expect(existsSync(join(out, 'ubp-model', 'model.ckpt'))).toBe(true);
    // the best model also as safetensors: the model's parameter names, its config in the metadata
    const st = readSafetensors(join(out, 'ubp-model', 'model.safetensors'));
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

  it('interrupted at any point (first step, mid-training, between evaluations) and rerun, it writes the same report', async () => {
    const opts = { clients: 1500, epochs: 1, model: 'small', pca: 8, evalHidden: 16, evalInner: 32, evalEpochs: 1, seed: 3, log: () => {} } as const;
    const steps = loadCheckpoint(join(out, 'ubp-model', 'checkpoint.ckpt')).meta.step as number; // of the run above
    for (const stop of [1, 3, steps + 2]) {
      const cut = join(out, `cut-${stop}`);
      let n = 0;
      const r = await runPipeline({ ...opts, out: cut, shouldStop: () => ++n >= stop });
      expect(r.interrupted).toBe(true);
      expect((await runPipeline({ ...opts, out: cut })).interrupted).toBe(false);
      for (const f of ['report.md', 'report.html', 'scores.png', 'training_loss.png'])
        expect(readFileSync(join(cut, 'ensemble', f)).equals(readFileSync(join(out, 'ensemble', f))), `stop ${stop}: ${f}`).toBe(true);
    }
  }, 120_000);

  it('`seqcore ubp ensemble` rebuilds the same ensemble from the cache and the latents', async () => {
    const cli = join(out, 'cli');
    const code = await runCli(
      ['ubp', 'ensemble', '--events', join(out, 'events.seq'), '--out', cli, '--embeddings', join(out, 'ubp'), '--pca', '8', '--seed', '3'],
      () => false,
    );
    expect(code).toBe(0);
    for (const f of ['client_ids.npy', 'embeddings.npy'])
      expect(readFileSync(join(cli, 'ensemble', f)).equals(readFileSync(join(out, 'ensemble', f)))).toBe(true);
  });

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
