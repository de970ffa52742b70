// Checkpoint and column-file headers that are corrupt, and checkpoints of the wrong model
// kind: each is a clear error naming the file (never a bare JSON error, a TypeError from
// inside, or a model built from a config that is not one).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnFile } from '../ts/io/columnar.js';
import { UBP_CONFIGS } from '../ts/ubp/model.js';
import { loadCheckpoint, modelConfig, saveCheckpoint } from '../ts/train/checkpoint.js';
import { embedUbp } from '../ts/ubp/train.js';
import { tinyCache } from './tiny_cache.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A column file with this header (an object is written as JSON) followed by `data` zero bytes. */
function raw(name: string, header: unknown, data = 64, magic = 'SEQCOL01'): string {
  const path = join(dir, name),
    h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const pre = Buffer.alloc(12);
  pre.write(magic, 0, 'ascii');
  pre.writeUInt32LE(h.length, 8);
  writeFileSync(path, Buffer.concat([pre, h, Buffer.alloc(data)]));
  return path;
}
const entry = (name: string, over: Record<string, unknown> = {}) => ({ name, type: 'Float32Array', length: 4, offset: 0, ...over });
const ckptHeader = (arrays: unknown[], shapes: Record<string, unknown> = { w: [2, 2] }, meta: unknown = {}) => ({
  meta: { kind: 'seqcore-checkpoint', meta, shapes },
  arrays,
});

const rec = { kind: 'sasrec', items: 26, hidden: 8, blocks: 1, heads: 2, maxLen: 6, dropout: 0.5, attentionDropout: 0, ffnMultiplier: 1, activation: 'gelu' };
const w = () => new Map([['model.w', { shape: [2, 2], data: new Float32Array(4) }]]);

describe('column file and checkpoint headers', () => {
  it('reads back a well-formed checkpoint', () => {
    const ok = raw('ok.ckpt', ckptHeader([entry('w')]));
    expect(loadCheckpoint(ok).arrays.get('w')!.shape).toEqual([2, 2]);
  });

  it.each([
    ['bad magic', () => raw('a', ckptHeader([]), 0, 'PK\u0003\u0004xxxx'), /: not a seqcore column file \(bad magic\)/],
    [
      'a file shorter than the preamble',
      () => {
        const p = join(dir, 'tiny');
        writeFileSync(p, 'SEQ');
        return p;
      },
      /: not a seqcore column file/,
    ],
    [
      'a header length past the end',
      () => {
        const p = raw('b', ckptHeader([]));
        const b = Buffer.alloc(12);
        b.write('SEQCOL01');
        b.writeUInt32LE(0xffffffff, 8);
        writeFileSync(p, b);
        return p;
      },
      /: truncated header \(4294967295 bytes announced/,
    ],
    ['a header that is not JSON', () => raw('c', '{"meta": {"kind": '), /: corrupt header: .*JSON/],
    ['a header without meta', () => raw('d', '[1, 2]'), /: corrupt header: expected \{"meta"/],
    ['an entry that is not an object', () => raw('e', ckptHeader([7])), /: header: array 0: expected \{name, type, length, offset\}/],
    ['an unknown type', () => raw('f', ckptHeader([entry('w', { type: 'toString' })])), /: header: array 0 \('w'\): unknown type "toString"/],
    ['a negative length', () => raw('g', ckptHeader([entry('w', { length: -1 })])), /\('w'\): length -1 is not a non-negative integer/],
    [
      'a huge length',
      () => raw('h', ckptHeader([entry('w', { length: 2 ** 52 })])),
      /\('w'\): bytes 0\.\.18014398509481984 run past the end of the data \(64 bytes/,
    ],
    ['a fractional offset', () => raw('i', ckptHeader([entry('w', { offset: 0.5 })])), /\('w'\): offset 0.5 is not a non-negative integer/],
    ['an offset past the end', () => raw('j', ckptHeader([entry('w', { offset: 64 })])), /\('w'\): bytes 64\.\.80 run past the end/],
    ['overlapping arrays', () => raw('k', ckptHeader([entry('w'), entry('v', { offset: 8 })], { w: [4], v: [4] })), /: header: arrays 'w' and 'v' overlap/],
    ['a name given twice', () => raw('l', ckptHeader([entry('w'), entry('w', { offset: 16 })])), /: header: array 'w' appears twice/],
    [
      'another kind of column file',
      () => raw('m', { meta: { kind: 'seqcore-events' }, arrays: [] }),
      /: not a seqcore checkpoint \(kind "seqcore-events": an event cache\)/,
    ],
    ['no kind', () => raw('n', { meta: {}, arrays: [] }), /: not a seqcore checkpoint \(kind missing\)/],
    [
      'no shapes',
      () => raw('o', { meta: { kind: 'seqcore-checkpoint', meta: {} }, arrays: [] }),
      /: corrupt checkpoint header: 'shapes' and 'meta' must be objects/,
    ],
    ['a missing shape', () => raw('p', ckptHeader([entry('w')], {})), /: array 'w' has no valid shape \(undefined\)/],
    ['a shape of the wrong size', () => raw('q', ckptHeader([entry('w')], { w: [3, 2] })), /: array 'w' has 4 values, its shape \[3, 2\] needs 6/],
    ['a negative dimension', () => raw('r', ckptHeader([entry('w')], { w: [-2, -2] })), /: array 'w' has no valid shape \(\[-2,-2\]\)/],
    ['a shape without its array', () => raw('s', ckptHeader([entry('w')], { w: [4], x: [1] })), /: corrupt checkpoint header: a shape for 'x'/],
    ['an array that is not float32', () => raw('t', ckptHeader([entry('w', { type: 'Int32Array' })])), /: array 'w' is not float32/],
  ])('%s: an error naming the file', (_, make, message) => {
    const path = make();
    let err: unknown;
    try {
      loadCheckpoint(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).constructor).toBe(Error);
    expect((err as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('a file cut after opening: readArray says so instead of returning zeros', () => {
    const path = raw('cut', ckptHeader([entry('w')]));
    const f = new ColumnFile(path);
    writeFileSync(path, Buffer.alloc(20));
    expect(() => f.readArray('w')).toThrow(`${path}: array 'w' ends early`);
  });
});

describe('a checkpoint of the wrong model kind', () => {
  const recPath = join(dir, 'rec.ckpt.best'),
    ubpPath = join(dir, 'model.ckpt'),
    statePath = join(dir, 'train.ckpt');
  saveCheckpoint(recPath, { meta: { kind: 'sasrec', config: rec, epoch: 3 }, arrays: w() });
  saveCheckpoint(ubpPath, { meta: { epoch: 1, config: UBP_CONFIGS.small }, arrays: w() });
  saveCheckpoint(statePath, { meta: { epoch: 2, bestScore: 0.1 }, arrays: w() });

  it('modelConfig returns the config of the kind asked for', () => {
    expect(modelConfig(recPath, loadCheckpoint(recPath), 'rec')).toEqual(rec);
    expect(modelConfig(ubpPath, loadCheckpoint(ubpPath), 'ubp')).toEqual(UBP_CONFIGS.small);
  });

  it('ubp embed given a recommender checkpoint', async () => {
    const cache = join(dir, 'events.cache');
    tinyCache(cache);
    await expect(embedUbp({ cache, model: recPath, out: join(dir, 'sub'), batchSize: 8, maxEvents: 8 })).rejects.toThrow(
      `${recPath}: a rec (sasrec) checkpoint, not a UBP autoencoder model`,
    );
    expect(() => modelConfig(statePath, loadCheckpoint(statePath), 'ubp')).toThrow(
      `${statePath}: holds no model config (a training state?), not a UBP autoencoder model; give OUT/model.ckpt`,
    );
  });

  it('rec eval --checkpoint given a UBP checkpoint or a training state', () => {
    const data = join(dir, 'users.txt');
    writeFileSync(data, Array.from({ length: 10 }, (_, u) => `${u + 1} ${[1, 2, 3, 4].map((i) => 1 + ((u + i) % 25)).join(' ')}`).join('\n'));
    const evalWith = (ckpt: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', 'rec', 'eval', '--sequences', data, '--checkpoint', ckpt], { encoding: 'utf8' });
    const u = evalWith(ubpPath);
    expect(u.status).not.toBe(0);
    expect(u.stderr).toContain(`${ubpPath}: a UBP autoencoder checkpoint, not a recommender model (sasrec, bert4rec, gru4rec)`);
    expect(() => modelConfig(statePath, loadCheckpoint(statePath), 'rec')).toThrow(
      `${statePath}: holds no model config (a training state?), not a recommender model (sasrec, bert4rec, gru4rec); give DIR/train.ckpt.best`,
    );
    const broken = join(dir, 'broken.best');
    saveCheckpoint(broken, { meta: { kind: 'gru4rec', config: { ...rec, kind: 'gru4rec', items: 'many' } }, arrays: w() });
    expect(() => modelConfig(broken, loadCheckpoint(broken), 'rec')).toThrow(`${broken}: corrupt model config: items "many" is not an integer ≥ 2`);
  }, 60_000);
});
