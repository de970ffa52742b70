// Real signals to the command line: Ctrl-C (SIGINT) checkpoints and exits 130 on the cpu
// backend (where a loop that never yields to the event loop never sees the signal), and
// SIGKILL loses at most the work since the last checkpoint. Either way, rerunning with
// --resume ends with the files an uninterrupted run writes, byte for byte.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../ts/data/generate.js';
import { ingest } from '../ts/data/ingest.js';
import { Rng } from '../ts/index.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLI = ['--import', 'tsx', 'ts/cli/main.ts'];

function seqcore(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Runs the CLI, sends `signal` once `file` exists, and returns the exit code (or the signal) and stderr. */
function signalWhen(file: string, signal: NodeJS.Signals, ...args: string[]): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '',
      sent = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const poll = setInterval(() => {
      if (!sent && existsSync(file)) {
        sent = true;
        child.kill(signal);
      }
    }, 10);
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      if (!sent) reject(new Error(`the run ended before ${file} appeared: ${err}`));
      else resolve({ code, signal: sig, err });
    });
  });
}

const same = (a: string, b: string): boolean => readFileSync(a).equals(readFileSync(b));

const data = join(dir, 'users.txt'); // 400 users of 60 items, one line each
const rng = new Rng(4);
writeFileSync(data, Array.from({ length: 400 }, (_, u) => `${u + 1} ${Array.from({ length: 5 + rng.int(10) }, () => 1 + rng.int(60)).join(' ')}`).join('\n'));

describe('rec train on cpu', () => {
  const args = (out: string): string[] => [
    'rec',
    'train',
    '--sequences',
    data,
    '--out',
    out,
    '--hidden',
    '16',
    '--blocks',
    '1',
    '--max-len',
    '10',
    '--epochs',
    '12',
    '--batch',
    '16',
    '--patience',
    '100',
    '--json',
  ];

  it('Ctrl-C in the first epoch checkpoints and exits 130; --resume ends as an uninterrupted run', async () => {
    const full = seqcore(...args(join(dir, 'rec-full')));
    expect(full.code, full.err).toBe(0);
    const out = join(dir, 'rec-cut');
    // --checkpoint-seconds 0 writes train.ckpt after the first step: the signal comes then.
    const cut = await signalWhen(join(out, 'train.ckpt'), 'SIGINT', ...args(out), '--checkpoint-seconds', '0');
    expect(cut.code, cut.err).toBe(130);
    expect(cut.err).toMatch(/interrupt: finishing this step and saving a checkpoint/);
    const resumed = seqcore(...args(out), '--resume');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/resumed from .*train\.ckpt: epoch \d+, step \d+/); // epoch 1 unless this machine is very fast
    expect(JSON.parse(resumed.out).test).toEqual(JSON.parse(full.out).test);
    for (const f of ['train.ckpt', 'train.ckpt.best']) expect(same(join(out, f), join(dir, 'rec-full', f)), f).toBe(true);
  }, 120_000);
});

describe('a command with nothing to checkpoint', () => {
  it('exits 130 at the first Ctrl-C and releases its output lock, leaving no output', async () => {
    const out = join(dir, 'gen');
    const r = await signalWhen(`${out}.lock`, 'SIGINT', 'data', 'generate', '--clients', '100000', '--out', out);
    expect(r.code, r.err).toBe(130);
    expect(existsSync(`${out}.lock`)).toBe(false);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

describe('ubp train', () => {
  const cache = join(dir, 'events.seq');
  beforeAll(async () => {
    await generate({ clients: 600, out: join(dir, 'data'), seed: 2 });
    await ingest({ dir: join(dir, 'data'), out: cache, topK: 50 });
  }, 120_000);
  const config = (checkpointSeconds: number): string => {
    const f = join(dir, `ubp-${checkpointSeconds}.json`);
    writeFileSync(
      f,
      JSON.stringify({
        model: { fields: ['event', 'sku'], embed: 8, combine: 'sum', hidden: 8, layers: 1, dropout: 0.1 },
        batchSize: 16,
        epochs: 3,
        valFraction: 0.1,
        checkpointSeconds,
      }),
    );
    return f;
  };

  it('SIGKILL mid-epoch loses only the steps since the last checkpoint; --resume ends as an uninterrupted run', async () => {
    const ref = join(dir, 'ubp-full'),
      out = join(dir, 'ubp-kill');
    const full = seqcore('ubp', 'train', '--events', cache, '--out', ref, '--config', config(600));
    expect(full.code, full.err).toBe(0);
    const killed = await signalWhen(join(out, 'checkpoint.ckpt'), 'SIGKILL', 'ubp', 'train', '--events', cache, '--out', out, '--config', config(0));
    expect(killed.signal).toBe('SIGKILL');
    const resumed = seqcore('ubp', 'train', '--events', cache, '--out', out, '--config', config(0), '--resume');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/resumed from .*checkpoint\.ckpt: epoch 1, batch [1-9]/);
    for (const f of ['checkpoint.ckpt', 'model.ckpt']) expect(same(join(out, f), join(ref, f)), f).toBe(true);
  }, 120_000);

  it('a config file is checked: its name and the key at fault in every error', () => {
    const bad = (cfg: string): string => {
      const f = join(dir, 'bad.json');
      writeFileSync(f, cfg);
      const r = seqcore('ubp', 'train', '--events', cache, '--out', join(dir, 'ubp-bad'), '--config', f);
      expect(r.code).toBe(1);
      return r.err;
    };
    const f = join(dir, 'bad.json');
    expect(bad('{"epochs": "two"}')).toContain(`${f}: "epochs" must be an integer ≥ 1 and ≤ 1000000000, got 'two'`);
    expect(bad('{"epochs": -2}')).toContain(`${f}: "epochs" must be an integer ≥ 1`);
    expect(bad('{"valFraction": 0}')).toContain(`${f}: "valFraction" must be a number > 0 and < 1, got 0`);
    expect(bad('{"valFraction": 1}')).toContain(`${f}: "valFraction" must be a number > 0 and < 1, got 1`);
    expect(bad('{"epoch": 2}')).toContain(`${f}: unknown setting "epoch"`);
    expect(bad('{"epochs": 2,}')).toContain(`${f}: not valid JSON`);
    expect(bad('{"preset": "huge"}')).toContain(`${f}: "preset" must be one of`);
  }, 120_000);
});

describe('flags', () => {
  it('name the flag and the value: no NaN, no silent default, no unbounded size', () => {
    const cases: [string[], string][] = [
      [['data', 'generate', '--clients', '10', '--out', join(dir, 'g'), '--seed', 'abc'], `--seed must be an integer ≥ 0 and ≤ 4294967295, got 'abc'`],
      [['ubp', 'train', '--events', 'x', '--out', join(dir, 'u'), '--epochs=-2'], `--epochs must be an integer ≥ 1 and ≤ 1000000000, got '-2'`],
      [
        ['rec', 'train', '--sequences', data, '--out', join(dir, 'r'), '--negatives', '1000000'],
        '--negatives 1000000: the data has 60 items, so at most 60 negatives',
      ],
      [['rec', 'train', '--sequences', data, '--out', join(dir, 'r'), '--hidden', '1e9'], `--hidden must be an integer ≥ 1 and ≤ 65536, got '1e9'`],
      [['example', '--steps', '2.5'], `--steps must be an integer ≥ 1 and ≤ 1000000000, got '2.5'`],
    ];
    for (const [args, msg] of cases) {
      const r = seqcore(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err, args.join(' ')).toContain(msg);
    }
  }, 120_000);
});
