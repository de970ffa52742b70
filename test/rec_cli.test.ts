// `seqcore rec` and `seqcore profiles` as a user runs them, on a generated Beauty.txt-format
// file: JSON output with the protocol stated, seeds summarised, offline profiles feeding a
// distillation run, and clear errors for wrong input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, Rng } from '../ts/index.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-rec-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = join(dir, 'users.txt'),
  attrs = join(dir, 'attrs.json');
const rng = new Rng(2);
writeFileSync(
  data,
  Array.from({ length: 80 }, (_, u) => `${u + 1} ${Array.from({ length: 4 + rng.int(6) }, (_, k) => 1 + ((u + 3 * k) % 25)).join(' ')}`).join('\n'),
);
writeFileSync(attrs, JSON.stringify(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [i + 1, [i % 4, 4 + (i % 3)]]))));

function seqcore(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const SMALL = ['--hidden', '8', '--blocks', '1', '--heads', '2', '--max-len', '6', '--epochs', '2', '--batch', '16'];

describe('seqcore rec / profiles', () => {
  it('rec eval --seeds --json: every metric as mean ± std, the protocol stated', () => {
    const r = seqcore('rec', 'eval', '--sequences', data, ...SMALL, '--seeds', '1,2', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { protocol: string; excludeHistory: boolean; runs: unknown[]; summary: Record<string, { mean: number; std: number }> };
    expect(j.protocol).toBe('leave-one-out, full ranking over 25 items, history items excluded, 80 test users');
    expect(j.runs.length).toBe(2);
    expect(Object.keys(j.summary)).toEqual(['HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20']);
    expect(j.summary['HR@20']!.mean).toBeGreaterThanOrEqual(j.summary['HR@10']!.mean);
  }, 120_000);

  it('profiles offline, then rec train with distillation; the saved model evaluates alone', () => {
    const p = join(dir, 'prof');
    const g = seqcore('profiles', 'offline', '--sequences', data, '--attributes', attrs, '--dim', '3', '--out', p);
    expect(g.code, g.err).toBe(0);
    expect(g.err).toMatch(/80×3 offline attribute profiles \(TF-IDF \+ truncated SVD, not an LLM\)/);
    const out = join(dir, 'run');
    const t = seqcore(
      'rec',
      'train',
      '--sequences',
      data,
      ...SMALL,
      '--profiles',
      p,
      '--distill-layer',
      '1',
      '--ft-epoch',
      '1',
      '--out',
      out,
      '--json',
      '--keep-history',
    );
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/profiles: 80 of 80 users have one \(3 dims\)/);
    expect((JSON.parse(t.out) as { protocol: string }).protocol).toMatch(/history items kept/);
    // the best model also as safetensors, with its configuration in the metadata
    const st = readSafetensors(join(out, 'model.safetensors'));
    expect(st.metadata.seqcore_model).toBe('rec');
    expect((JSON.parse(st.metadata.config!) as { kind: string }).kind).toBe('sasrec');
    expect(Number(st.metadata.epoch)).toBe((JSON.parse(t.out) as { bestEpoch: number }).bestEpoch); // both count from 1
    const e = seqcore('rec', 'eval', '--sequences', data, '--checkpoint', join(out, 'train.ckpt.best'), '--json', '--keep-history');
    expect(e.code, e.err).toBe(0);
    expect((JSON.parse(e.out) as { test: Record<string, number> }).test['NDCG@10']).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('rec table: three rows of mean ± std over the seeds; a rerun reuses the finished runs', () => {
    const out = join(dir, 'table');
    const args = ['rec', 'table', '--sequences', data, '--attributes', attrs, '--profile-dim', '3', ...SMALL, '--seeds', '1,2', '--out', out];
    const r = seqcore(...args);
    expect(r.code, r.err).toBe(0);
    const rows = r.out.split('\n').filter((l) => l.startsWith('| '));
    expect(rows.length).toBe(4); // header, SASRec, SASRec + distillation, GRU4Rec
    expect(rows[1]).toMatch(/^\| SASRec \| 1, 2 \| 0\.\d{4} ± 0\.\d{4} \|/);
    expect(rows[2]).toMatch(/^\| SASRec \+ attribute-profile distillation \(mse, mean pooling, layer 1, α 0\.4, E_ft 12, β scaled\) \| 1, 2 \|/);
    expect(rows[3]).toMatch(/^\| GRU4Rec \| 1 \|/);
    const again = seqcore(...args);
    expect(again.err.match(/finished earlier/g)?.length).toBe(5);
    expect(again.out).toBe(r.out);
  }, 120_000);

  it('names what is wrong', () => {
    expect(seqcore('rec', 'train', '--sequences', data, '--split', 'temporal', '--out', dir).err).toMatch(
      /--split temporal needs timestamps: give --interactions/,
    );
    expect(seqcore('rec', 'train', '--sequences', data, '--model', 'lstm', '--out', dir).err).toMatch(
      /--model must be one of sasrec, bert4rec, gru4rec, got 'lstm'/,
    );
    expect(seqcore('rec', 'train', '--sequences', data, '--hidden', '6', '--heads', '4', ...['--epochs', '1'], '--out', dir).err).toMatch(
      /hidden size 6 must be a multiple of heads \(4\)/,
    );
    expect(seqcore('profiles', 'generate', '--sequences', data, '--out', join(dir, 'x.jsonl')).err).toMatch(/no chat endpoint: give --base-url/);
    expect(seqcore('rec', 'table', '--sequences', data, '--attributes', attrs, '--profiles', join(dir, 'prof'), '--out', dir).err).toMatch(
      /rec table builds its own attribute profiles/,
    );
  }, 120_000);
});
