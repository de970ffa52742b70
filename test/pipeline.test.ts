import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy } from '../ts/data/npy.js';
import { runPipeline } from '../ts/ubp/pipeline.js';

const out = mkdtempSync(join(tmpdir(), 'seqcore-pipeline-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('System 1 end to end (tiny)', () => {
  it('generate → targets → ingest → baseline → train → embed → export → evaluate', async () => {
    const r = await runPipeline({ out, clients: 1500, epochs: 1, evalHidden: 16, evalInner: 32, evalEpochs: 1, seed: 3, log: () => {} });
    const tasks = ['churn', 'category propensity', 'sku propensity', 'conversion (hidden)', 'price propensity (hidden)'];
    expect(r.results.map(([n]) => n)).toEqual(['count baseline', 'UBP autoencoder', 'statistics', 'ALS user×category', 'ensemble']);
    for (const [, rs] of r.results) expect(rs.map((t) => t.task)).toEqual(tasks);
    for (const t of r.results.flatMap(([, rs]) => rs)) {
      expect(t.score).toBeGreaterThan(0);
      expect(t.score).toBeLessThanOrEqual(1);
    }
    const emb = readNpy(join(out, 'ubp', 'embeddings.npy')), ids = readNpy(join(out, 'ubp', 'client_ids.npy'));
    expect(emb.dtype).toBe('float16');
    expect(emb.shape[0]).toBe(ids.shape[0]);
    const ens = readNpy(join(out, 'ensemble', 'embeddings.npy'));
    expect(ens.shape[1]).toBe(emb.shape[1]! + 24 + 32); // latents + statistics + ALS factors
    expect(readFileSync(join(out, 'ensemble', 'report.md'), 'utf8')).toMatch(/\| \*\*sum\*\* \|/);
    expect(existsSync(join(out, 'ubp-model', 'model.ckpt'))).toBe(true);
    for (const f of ['scores.png', 'training_loss.png']) expect(readFileSync(join(out, 'ensemble', f)).subarray(1, 4).toString()).toBe('PNG');
  });
});
