// Wrong input is an error at load that names the file and the place (row, column, line),
// never a silently wrong result or a failure far from its cause (issue #15): client ids
// checked by one function wherever they are read, target shapes, NaN/Inf in input arrays,
// one line per user, ids that would size arrays, I/O errors without a path, paths with a
// quote in DuckDB's SQL.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readItemTexts } from '../ts/cli/profiles.js';
import { runCli } from '../ts/cli/program.js';
import { generate } from '../ts/data/generate.js';
import { Rng } from '../ts/rng.js';
import { EventCache, ingest } from '../ts/data/ingest.js';
import { ingestLog } from '../ts/data/logs.js';
import { readNpy, writeNpy } from '../ts/io/npy.js';
import { buildTargets } from '../ts/data/targets.js';
import { evaluateEmbeddings } from '../ts/ubp/universal.js';
import { DiskCache } from '../ts/profiles/cache.js';
import { loadProfiles } from '../ts/profiles/pipeline.js';
import { parseSequences, readSequences } from '../ts/rec/sequences.js';
import { parseInteractions } from '../ts/rec/split.js';
import { countFeatures } from '../ts/ubp/counts.js';
import { loadMember } from '../ts/ubp/ensemble.js';
import { autoencoderMembers, computeMembers, ensembleOf } from '../ts/ubp/members.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ids = (...v: number[]): BigInt64Array => BigInt64Array.from(v.map(BigInt));
const N = 6,
  WIDTH = { category: 3, sku: 3, new_sku: 3, price: 100 } as const;

/** relevant_clients.npy (clients 1..N) and, in targets/, what buildTargets writes for them. */
function evalInputs(name: string): { data: string; targets: string; relevant: BigInt64Array } {
  const data = join(dir, name),
    targets = join(data, 'targets');
  const relevant = ids(...Array.from({ length: N }, (_, i) => i + 1));
  for (const split of ['train_target', 'validation_target']) mkdirSync(join(targets, split), { recursive: true });
  writeNpy(join(data, 'relevant_clients.npy'), { dtype: 'int64', shape: [N], data: relevant });
  writeNpy(join(targets, 'active_clients.npy'), { dtype: 'int64', shape: [N], data: relevant });
  const label = Float32Array.from({ length: N }, (_, i) => i % 2);
  for (const split of ['train_target', 'validation_target']) {
    for (const task of ['churn', 'conversion']) writeNpy(join(targets, split, `${task}.npy`), { dtype: 'float32', shape: [N], data: label });
    for (const [k, w] of Object.entries(WIDTH))
      writeNpy(join(targets, split, `${k}.npy`), {
        dtype: 'float32',
        shape: [N, w],
        data: Float32Array.from({ length: N * w }, (_, i) => (i % w === 0 ? label[Math.floor(i / w)]! : 0)),
      });
  }
  for (const [k, w] of Object.entries(WIDTH))
    writeNpy(join(targets, `popularity_propensity_${k}.npy`), { dtype: 'float32', shape: [w], data: new Float32Array(w).fill(1 / w) });
  return { data, targets, relevant };
}

/** A submission folder written as given (writeSubmission would refuse the bad ones). */
function submission(name: string, clientIds: BigInt64Array, values?: Float32Array): string {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  writeNpy(join(out, 'client_ids.npy'), { dtype: 'int64', shape: [clientIds.length], data: clientIds });
  writeNpy(join(out, 'embeddings.npy'), {
    dtype: 'float32',
    shape: [clientIds.length, 2],
    data: values ?? Float32Array.from({ length: 2 * clientIds.length }, (_, i) => i),
  });
  return out;
}

const evaluate = (d: { data: string; targets: string }, embeddings: string): Promise<unknown> =>
  evaluateEmbeddings({ ...d, embeddings, hidden: 8, inner: 8, epochs: 1 });

describe('client ids: one check wherever embeddings and their ids are read', () => {
  const d = evalInputs('ids');
  const cases: [string, BigInt64Array, RegExp][] = [
    [
      'ids that match no relevant client',
      ids(101, 102, 103, 104, 105, 106),
      /client_ids\.npy: client 101 at row 0 is not a relevant client \(6 of its 6 ids are not\)/,
    ],
    [
      'a relevant client missing',
      ids(1, 2, 3, 4, 5),
      /client_ids\.npy: relevant client 6 \(row 5 of the relevant clients\) is missing; 1 of 6 relevant clients have no row/,
    ],
    ['an id twice', ids(1, 2, 3, 4, 5, 5), /client_ids\.npy: client 5 is at row 4 and again at row 5/],
    ['one stray id', ids(1, 2, 3, 4, 5, 6, 7), /client_ids\.npy: client 7 at row 6 is not a relevant client \(1 of its 7 ids are not\)/],
  ];
  for (const [what, clientIds, message] of cases)
    it(`ubp ensemble and ubp eval reject ${what}`, async () => {
      const sub = submission(what.replaceAll(' ', '-'), clientIds);
      expect(() => loadMember('autoencoder 1', sub, d.relevant, 'l2', 64)).toThrow(message);
      await expect(evaluate(d, sub)).rejects.toThrow(message);
    });

  it('relevant_clients.npy with a client twice', async () => {
    const e = evalInputs('relevant-twice');
    writeNpy(join(e.data, 'relevant_clients.npy'), { dtype: 'int64', shape: [N], data: ids(1, 2, 3, 4, 3, 6) });
    await expect(evaluate(e, submission('relevant-twice-sub', e.relevant))).rejects.toThrow(/relevant_clients\.npy: client 3 is at row 2 and again at row 4/);
  });
});

describe('ubp eval checks the shape of every target against the clients and the propensity targets', () => {
  const cases: [string, string, (targets: string) => void, RegExp][] = [
    [
      'sku cut to fewer rows',
      'train_target/sku.npy',
      (t) => writeNpy(t, { dtype: 'float32', shape: [N - 1, 3], data: new Float32Array((N - 1) * 3) }),
      /train_target\/sku\.npy: shape \[5, 3\], expected \[6, 3\] \(6 relevant clients × the 3 targets of popularity_propensity_sku\.npy\)/,
    ],
    [
      'category with a column too few',
      'validation_target/category.npy',
      (t) => writeNpy(t, { dtype: 'float32', shape: [N, 2], data: new Float32Array(N * 2) }),
      /validation_target\/category\.npy: shape \[6, 2\], expected \[6, 3\]/,
    ],
    [
      'price flattened',
      'train_target/price.npy',
      (t) => writeNpy(t, { dtype: 'float32', shape: [N * 100], data: new Float32Array(N * 100) }),
      /train_target\/price\.npy: shape \[600\], expected \[6, 100\]/,
    ],
    [
      'churn for a client too many',
      'validation_target/churn.npy',
      (t) => writeNpy(t, { dtype: 'float32', shape: [N + 1], data: new Float32Array(N + 1) }),
      /validation_target\/churn\.npy: shape \[7\], expected \[6\] \(6 active clients in active_clients\.npy\)/,
    ],
    [
      'conversion cut',
      'train_target/conversion.npy',
      (t) => writeNpy(t, { dtype: 'float32', shape: [2], data: new Float32Array(2) }),
      /train_target\/conversion\.npy: shape \[2\], expected \[6\] \(6 relevant clients\)/,
    ],
    [
      'an active client that is not relevant',
      'active_clients.npy',
      (t) => writeNpy(t, { dtype: 'int64', shape: [2], data: ids(1, 99) }),
      /active_clients\.npy: client 99 at row 1 is not a relevant client/,
    ],
  ];
  for (const [what, file, write, message] of cases)
    it(what, async () => {
      const d = evalInputs(`shape-${what.replaceAll(' ', '-')}`);
      write(join(d.targets, file));
      await expect(evaluate(d, submission(`shape-sub-${what.replaceAll(' ', '-')}`, d.relevant))).rejects.toThrow(message);
    });
});

describe('churn targets in the order of active_clients.npy', () => {
  it('an active_clients.npy not in relevant-client order: each embedding still meets its own label', async () => {
    // 200 clients, churn planted in embedding column 0; active_clients.npy reversed, the churn
    // targets in its order. Rows paired by position instead would score ~0.5.
    const n = 200,
      rng = new Rng(3),
      data = join(dir, 'active-order'),
      targets = join(data, 'targets');
    const relevant = BigInt64Array.from({ length: n }, (_, i) => BigInt(500 + i));
    const label = Float32Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
    for (const split of ['train_target', 'validation_target']) mkdirSync(join(targets, split), { recursive: true });
    writeNpy(join(data, 'relevant_clients.npy'), { dtype: 'int64', shape: [n], data: relevant });
    writeNpy(join(targets, 'active_clients.npy'), { dtype: 'int64', shape: [n], data: relevant.slice().reverse() });
    for (const split of ['train_target', 'validation_target']) {
      writeNpy(join(targets, split, 'churn.npy'), { dtype: 'float32', shape: [n], data: label.slice().reverse() });
      writeNpy(join(targets, split, 'conversion.npy'), { dtype: 'float32', shape: [n], data: label });
      for (const [k, w] of Object.entries(WIDTH))
        writeNpy(join(targets, split, `${k}.npy`), { dtype: 'float32', shape: [n, w], data: new Float32Array(n * w) });
    }
    for (const [k, w] of Object.entries(WIDTH))
      writeNpy(join(targets, `popularity_propensity_${k}.npy`), { dtype: 'float32', shape: [w], data: new Float32Array(w).fill(1 / w) });
    const sub = submission(
      'active-order-sub',
      relevant,
      Float32Array.from({ length: 2 * n }, (_, j) => (j % 2 ? rng.normal() * 0.1 : label[j >> 1]!)),
    );
    const r = (await evaluateEmbeddings({ data, targets, embeddings: sub, hidden: 16, inner: 16, epochs: 3, lr: 3e-3 })) as { task: string; auroc: number }[];
    expect(r.find((t) => t.task === 'churn')!.auroc).toBeGreaterThan(0.95);
    expect(r.find((t) => t.task.startsWith('conversion'))!.auroc).toBeGreaterThan(0.95);
  }, 60_000);
});

describe('NaN and Inf in input arrays: an error at load naming the file, row and column', () => {
  it('in embeddings (ubp eval, ubp ensemble)', async () => {
    const d = evalInputs('nan-embeddings');
    const values = Float32Array.from({ length: 2 * N }, (_, i) => i);
    values[2 * 2 + 1] = NaN;
    const sub = submission('nan-sub', d.relevant, values);
    await expect(evaluate(d, sub)).rejects.toThrow(/nan-sub\/embeddings\.npy: row 2, column 1 is NaN/);
    expect(() => loadMember('autoencoder 1', sub, d.relevant, 'l2', 64)).toThrow(/embeddings\.npy: row 2, column 1 is NaN/);
  });

  it('in targets and popularities', async () => {
    const d = evalInputs('inf-targets');
    const price = new Float32Array(N * 100);
    price[100 + 7] = Infinity;
    writeNpy(join(d.targets, 'validation_target', 'price.npy'), { dtype: 'float32', shape: [N, 100], data: price });
    const sub = submission('inf-sub', d.relevant);
    await expect(evaluate(d, sub)).rejects.toThrow(/validation_target\/price\.npy: row 1, column 7 is Infinity/);
    writeNpy(join(d.targets, 'popularity_propensity_sku.npy'), { dtype: 'float32', shape: [3], data: Float32Array.from([0.5, 0.5, NaN]) });
    await expect(evaluate(d, sub)).rejects.toThrow(/popularity_propensity_sku\.npy: row 2 is NaN/);
  });

  it('in profile embeddings', () => {
    const prefix = join(dir, 'profiles');
    writeNpy(`${prefix}.npy`, { dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2, -Infinity, 4]) });
    writeNpy(`${prefix}.users.npy`, { dtype: 'int64', shape: [2], data: ids(1, 2) });
    expect(() => loadProfiles(prefix, [1, 2])).toThrow(/profiles\.npy: row 1, column 0 is -Infinity/);
  });
});

describe('one line per user', () => {
  const text = '1 2 3 4\n2 3 4 5\n\n1 5 6 7\n';
  it('rec: a user on two lines names both', () => {
    expect(() => parseSequences(text, 'b.txt')).toThrow('b.txt: user 1 is at line 1 and again at line 4');
  });

  it('ingest-log of a Beauty.txt-format file', async () => {
    const f = join(dir, 'twice.txt');
    writeFileSync(f, text);
    await expect(ingestLog({ file: f, out: join(dir, 'twice.seq') })).rejects.toThrow(`${f}: user 1 is at line 1 and again at line 4`);
  });

  it('several rows per user stay fine in an interactions CSV', () => {
    expect(parseInteractions('user,item,timestamp\n1,2,1\n1,3,2\n1,4,3\n').items.map((s) => Array.from(s))).toEqual([[2, 3, 4]]);
  });
});

describe('ids that size arrays', () => {
  it('rec rejects item ids above MAX_ITEM_ID naming the file, line and id, and users beyond exact integers', () => {
    expect(() => parseSequences('1 2147483647 5 6\n', 'b.txt')).toThrow(
      'b.txt:1: field 2: item id 2147483647 is above 16777216 (ids size the item table: renumber the items 1..N)',
    );
    expect(() => parseInteractions('user,item,timestamp\n1,2,1\n1,2147483647,2\n', 'i.csv')).toThrow('i.csv:3: item id 2147483647 is above 16777216');
    expect(() => parseSequences('99999999999999999999 1 2 3\n', 'b.txt')).toThrow("b.txt:1: field 1 ('99999999999999999999') is not a positive integer id");
  });
});

describe('ingest-log names the line of a text file and the value as written', () => {
  it('CSV: blank lines and a quoted field over two lines counted as lines', async () => {
    const f = join(dir, 'big.csv');
    writeFileSync(
      f,
      'user,item,timestamp,note\n1,10,2022-01-01 00:00:00,a\n\n2,11,2022-01-02 00:00:00,"two\nlines"\n' +
        '2,12,2022-01-03 00:00:00,b\n3,99999999999999999999,2022-01-04 00:00:00,c\n',
    );
    await expect(ingestLog({ file: f, out: join(dir, 'big.seq') })).rejects.toThrow(
      `${f} line 7: item '99999999999999999999' in column 'item' is not an integer id`,
    );
  });

  it('TSV: a time that is not a number where the others are', async () => {
    const f = join(dir, 'times.tsv');
    writeFileSync(f, `user\titem\ttimestamp\n${Array.from({ length: 20 }, (_, i) => `${i % 3}\t${i}\t${1_600_000_000 + i}`).join('\n')}\n1\t5\tnoon\n`);
    await expect(ingestLog({ file: f, out: join(dir, 'times.seq') })).rejects.toThrow(`${f} line 22: time 'noon' in column 'timestamp' is not a timestamp`);
  });
});

describe('I/O errors name the path', () => {
  const folder = join(dir, 'a-folder');
  mkdirSync(folder, { recursive: true });

  it('a folder given as a file (EISDIR)', () => {
    expect(() => readNpy(folder)).toThrow(`${folder}: EISDIR: illegal operation on a directory`);
    expect(() => readSequences(folder)).toThrow(`${folder}: EISDIR`);
    expect(() => new EventCache(folder)).toThrow(`${folder}: EISDIR`);
  });

  it('a full disk (ENOSPC)', () => {
    const path = join(dir, 'requests.jsonl'),
      cache = new DiskCache<number>(path);
    symlinkSync('/dev/full', path); // every write to it fails with ENOSPC
    expect(() => cache.set('k', 1)).toThrow(`${path}: ENOSPC: no space left on device`);
  });

  it('the CLI: rec train --data FOLDER', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', 'rec', 'train', '--sequences', folder, '--out', join(dir, 'run')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${folder}: EISDIR: illegal operation on a directory`);
  }, 60_000);
});

describe('JSON files given on the command line name the file and the key', () => {
  const json = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('ubp train --config: the autoencoder\'s settings under "model" are checked too', async () => {
    const train = (model: unknown): Promise<number> => {
      const f = json('model.json', JSON.stringify({ model }));
      return runCli(['ubp', 'train', '--events', join(dir, 'no-cache'), '--out', join(dir, 'ubp-model-bad'), '--config', f], () => false);
    };
    const f = join(dir, 'model.json');
    await expect(train({ hidden: 'big' })).rejects.toThrow(`${f}: "model.hidden" must be an integer ≥ 1 and ≤ 65536, got 'big'`);
    await expect(train({ layers: -1 })).rejects.toThrow(`${f}: "model.layers" must be an integer ≥ 1`);
    await expect(train({ dropout: 2 })).rejects.toThrow(`${f}: "model.dropout" must be a number ≥ 0 and < 1, got 2`);
    await expect(train({ combine: 'mean' })).rejects.toThrow(`${f}: "model.combine" must be one of sum, concat, got 'mean'`);
    await expect(train({ fields: ['event', 'colour'] })).rejects.toThrow(
      `${f}: "model.fields" must be a list of distinct fields among event, sku, category, price, url, day, week, got ["event","colour"]`,
    );
    await expect(train({ hiden: 64 })).rejects.toThrow(`${f}: unknown model setting "hiden"`);
    await expect(train([64])).rejects.toThrow(`${f}: "model" must be an object of autoencoder settings`);
  });

  it('ubp run --preset: only the presets, not what every object inherits', async () => {
    for (const preset of ['toString', 'constructor', 'huge'])
      await expect(runCli(['ubp', 'run', '--out', join(dir, 'ubp-run-bad'), '--preset', preset], () => false)).rejects.toThrow(
        `--preset must be one of wide, dayEvent, small, got '${preset}'`,
      );
  });

  it('profiles generate --item-text', () => {
    expect(() => readItemTexts(json('items-bad.json', '{"1": "a",}'))).toThrow(`${join(dir, 'items-bad.json')}: not valid JSON`);
    expect(() => readItemTexts(json('items-null.json', 'null'))).toThrow(`${join(dir, 'items-null.json')}: expected an object of item id → text or fields`);
    expect(() => readItemTexts(json('items-key.json', '{"lipstick": "red"}'))).toThrow(
      `${join(dir, 'items-key.json')}: key 'lipstick' is not a positive integer item id`,
    );
    expect(readItemTexts(json('items.json', '{"3": "red lipstick", "4": {"brand": "x"}}'))).toEqual(
      new Map([
        [3, 'red lipstick'],
        [4, 'brand: x'],
      ]),
    );
  });
});

describe("a folder named with a quote (it's) reaches DuckDB as an SQL string", () => {
  it('generate, targets, ingest, baseline; the ensemble still rejects ids that match no client', async () => {
    const data = join(dir, "it's data");
    await generate({ clients: 150, out: data, seed: 4 });
    const t = await buildTargets({ dir: data, out: join(dir, "it's targets") });
    const cache = join(dir, "it's.seq");
    await ingest({ dir: data, out: cache, before: t.inputCut });
    const b = await countFeatures({ data, before: t.inputCut, out: join(dir, "it's baseline") });
    expect(b.clients).toBe(t.relevant);
    const c = new EventCache(cache),
      relevant = c.file.readArray<BigInt64Array>('relevant');
    const members = computeMembers(c, relevant, join(dir, "it's members"), 1);
    const stray = submission(
      'stray',
      relevant.map((id) => id + 1_000_000n),
    );
    expect(() => ensembleOf([...autoencoderMembers([stray], 64), ...members], relevant, join(dir, "it's ensemble"))).toThrow(
      /stray\/client_ids\.npy: client \d+ at row 0 is not a relevant client/,
    );
    expect(ensembleOf([...autoencoderMembers([join(dir, "it's baseline")], 64), ...members], relevant, join(dir, "it's ensemble")).dim).toBeGreaterThan(0);
  }, 120_000);
});
