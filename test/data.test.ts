import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { batches } from '../ts/ubp/batcher.js';
import { generate } from '../ts/data/generate.js';
import { EventCache, ingest } from '../ts/data/ingest.js';
import { fromFloat16Bits, readNpy, writeNpy } from '../ts/io/npy.js';
import { SCHEMA } from '../ts/data/schema.js';
import { buildTargets } from '../ts/data/targets.js';
import { Rng } from '../ts/index.js';

const root = mkdtempSync(join(tmpdir(), 'seqcore-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function sql(statements: string[]): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  let last: Record<string, unknown>[] = [];
  for (const s of statements) last = (await conn.runAndReadAll(s)).getRowObjects();
  conn.closeSync();
  db.closeSync();
  return last;
}

type Row = (string | number)[];
const q16 = `[${Array.from({ length: 16 }, (_, i) => i + 1).join(' ')}]`;
const zeros16 = `[${new Array(16).fill(0).join(' ')}]`;
/** The hand-made dataset whose answers are written in the tests below. */
const TINY: Record<string, { cols: string; rows: Row[] }> = {
  product_properties: {
    cols: 'sku, category, price, name',
    rows: [
      [10, 100, 5, zeros16],
      [11, 101, 7, zeros16],
      [12, 100, 9, zeros16],
    ],
  },
  page_visit: {
    cols: 'client_id, timestamp, url',
    rows: [
      [1, '2022-01-01 10:00:00', 500],
      [2, '2022-01-06 00:00:00', 501],
      [2, '2022-01-06 00:00:01', 500],
      [3, '2022-01-02 00:00:00', 500],
    ],
  },
  add_to_cart: { cols: 'client_id, timestamp, sku', rows: [[1, '2022-01-02 11:00:00', 10]] },
  product_buy: {
    cols: 'client_id, timestamp, sku',
    rows: [
      [1, '2022-01-03 12:00:00', 10],
      [2, '2022-01-05 08:00:00', 12],
      [1, '2022-02-20 12:00:00', 11],
      [3, '2022-02-27 10:00:00', 10],
    ],
  },
  search_query: { cols: 'client_id, timestamp, query', rows: [[1, '2022-01-04 09:00:00', q16]] },
  remove_from_cart: { cols: 'client_id, timestamp, sku', rows: [[2, '2022-01-05 09:00:00', 10]] },
};

/** Writes a dataset as Parquet with the challenge's types; `patch` replaces single files. */
async function writeDataset(dir: string, patch: Record<string, string | null> = {}): Promise<void> {
  const stmts: string[] = [];
  for (const [name, { cols, rows }] of Object.entries(TINY)) {
    if (patch[name] === null) continue;
    const types = SCHEMA[name as keyof typeof SCHEMA];
    const cast = cols
      .split(', ')
      .map((c) => `${c}::${types[c]} AS ${c}`)
      .join(', ');
    const values = rows.map((r) => `(${r.map((v) => (typeof v === 'string' ? `'${v}'` : v)).join(', ')})`).join(', ');
    const query = patch[name] ?? `SELECT ${cast} FROM (VALUES ${values}) t(${cols})`;
    stmts.push(`COPY (${query}) TO '${join(dir, `${name}.parquet`)}' (FORMAT PARQUET)`);
  }
  await sql(stmts);
  writeNpy(join(dir, 'relevant_clients.npy'), { dtype: 'int64', shape: [3], data: BigInt64Array.from([1n, 2n, 3n]) });
}

function freshDir(name: string): string {
  const d = join(root, name);
  rmSync(d, { recursive: true, force: true });
  return mkdtempSync(`${d}-`);
}

describe('the tiny hand-made dataset', () => {
  const dir = join(root, 'tiny');
  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(dir);
    await writeDataset(dir);
  });

  it('ingests into the token sequences written here by hand', async () => {
    const out = join(dir, 'cache.seq');
    const stats = await ingest({ dir, out, topK: 1 });
    expect(stats).toMatchObject({ clients: 3, events: 11, relevant: 3 });
    const c = new EventCache(out);
    expect(Array.from(c.clients)).toEqual([1n, 2n, 3n]);
    expect(Array.from(c.offsets)).toEqual([0, 5, 9, 11]);
    // ids: 3 missing, 4 out of vocabulary, 5.. vocabulary; events 5 buy, 6 add, 7 remove, 8 visit, 9 search
    expect(Array.from(c.field('event'))).toEqual([8, 6, 5, 9, 5, /* 2 */ 5, 7, 8, 8, /* 3 */ 8, 5]);
    expect(Array.from(c.field('sku'))).toEqual([3, 5, 5, 3, 4, /* 2 */ 4, 5, 3, 3, /* 3 */ 3, 5]); // top-1 sku is 10
    expect(Array.from(c.field('category'))).toEqual([3, 5, 5, 3, 6, /* 2 */ 5, 5, 3, 3, /* 3 */ 3, 5]); // 100 → 5, 101 → 6
    expect(Array.from(c.field('price'))).toEqual([3, 10, 10, 3, 12, /* 2 */ 14, 10, 3, 3, /* 3 */ 3, 10]); // 5 + bucket
    expect(Array.from(c.field('url'))).toEqual([5, 3, 3, 3, 3, /* 2 */ 3, 3, 4, 5, /* 3 */ 5, 3]); // top-1 url is 500
    expect(Array.from(c.field('day'))).toEqual([5, 6, 7, 8, 55, /* 2 */ 9, 9, 10, 10, /* 3 */ 6, 62]); // 5 + days since Jan 1
    expect(Array.from(c.field('week'))).toEqual([5, 5, 6, 6, 12, /* 2 */ 6, 6, 6, 6, /* 3 */ 5, 13]); // ISO weeks from Dec 27
    expect(Array.from(c.field('query'))).toEqual([-1, -1, -1, 0, -1, -1, -1, -1, -1, -1, -1]);
    expect(Array.from(c.file.readArray<Uint8Array>('queryCodes'))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(Array.from(c.file.readArray<BigInt64Array>('vocabSku'))).toEqual([10n]);
  });

  it('builds the challenge targets written here by hand', async () => {
    // The tiny dataset plus purchases in the training target window (Jan 31 – Feb 13), from
    // which the propensity targets come, and one of a sku client 1 had in its input.
    const tdir = freshDir('targets-data');
    const buys: Row[] = [
      ...TINY.product_buy!.rows,
      [2, '2022-02-01 12:00:00', 12],
      [3, '2022-02-03 09:00:00', 12],
      [3, '2022-02-05 09:00:00', 10],
      [1, '2022-02-21 12:00:00', 10],
    ];
    await writeDataset(tdir, {
      product_buy:
        'SELECT c::BIGINT AS client_id, t AS timestamp, s::BIGINT AS sku ' +
        `FROM (VALUES ${buys.map((r) => `(${r[0]}, '${r[1]}', ${r[2]})`).join(', ')}) v(c, t, s)`,
    });
    const out = join(tdir, 'targets');
    const t = await buildTargets({ dir: tdir, out });
    // end = the last purchase; training window from midnight 27 days before, 14 days each
    expect(t).toEqual({ end: '2022-02-27 10:00:00', inputCut: '2022-01-31 00:00:00', validationStart: '2022-02-14 00:00:00', relevant: 3, active: 2 });
    const read = (f: string): number[] => {
      const a = readNpy(join(out, f));
      return Array.from(a.dtype === 'float16' ? fromFloat16Bits(a.data as Uint16Array) : (a.data as Float32Array), Number);
    };
    expect(Array.from(readNpy(join(out, 'active_clients.npy')).data as BigInt64Array)).toEqual([1n, 2n]); // 3 bought only after the cut
    // the training window's purchases: sku 12 twice, 10 once, all of category 100
    expect(Array.from(readNpy(join(out, 'propensity_category.npy')).data as BigInt64Array)).toEqual([100n]);
    expect(Array.from(readNpy(join(out, 'propensity_sku.npy')).data as BigInt64Array)).toEqual([12n, 10n]);
    expect(read('popularity_propensity_sku.npy')).toEqual([2 / 3, 1 / 3].map(Math.fround));
    expect(read('train_target/churn.npy')).toEqual([1, 0]); // client 2 buys on Feb 1
    expect(read('train_target/conversion.npy')).toEqual([1, 0, 0]);
    expect(read('validation_target/churn.npy')).toEqual([0, 1]); // client 1 buys on Feb 20
    expect(read('validation_target/conversion.npy')).toEqual([0, 1, 0]); // client 3 on Feb 27
    expect(read('validation_target/category.npy')).toEqual([1, 0, 1]); // sku 11 is category 101, not a target
    expect(read('validation_target/sku.npy')).toEqual([0, 1, 0, 0, 0, 1]);
    // new skus: client 1 had sku 10 in its input (a cart add and a purchase), client 3 never
    expect(read('validation_target/new_sku.npy')).toEqual([0, 0, 0, 0, 0, 1]);
    const price = read('validation_target/price.npy');
    expect(price.flatMap((v, i) => (v ? [[Math.floor(i / 100), i % 100]] : []))).toEqual([
      [0, 5],
      [0, 7],
      [2, 5],
    ]);
    const popPrice = read('popularity_propensity_price.npy');
    expect([popPrice[5], popPrice[9]]).toEqual([1 / 3, 2 / 3].map(Math.fround));
    expect(popPrice.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6); // float32 shares
  });

  it("the organisers' layout: relevant_clients.npy in input/, the propensity targets shipped in target/", async () => {
    const odir = freshDir('organisers-layout');
    await writeDataset(odir);
    mkdirSync(join(odir, 'input'));
    mkdirSync(join(odir, 'target'));
    renameSync(join(odir, 'relevant_clients.npy'), join(odir, 'input', 'relevant_clients.npy'));
    writeNpy(join(odir, 'input', 'relevant_clients.npy'), { dtype: 'int64', shape: [2], data: BigInt64Array.from([3n, 1n]) });
    writeNpy(join(odir, 'target', 'propensity_sku.npy'), { dtype: 'int64', shape: [2], data: BigInt64Array.from([11n, 10n]) });
    writeNpy(join(odir, 'target', 'popularity_propensity_sku.npy'), { dtype: 'float32', shape: [2], data: Float32Array.from([0.25, 0.75]) });
    const stats = await ingest({ dir: odir, out: join(odir, 'cache.seq') });
    expect(stats.relevant).toBe(2); // not every client: the shipped list
    const out = join(odir, 'targets');
    await buildTargets({ dir: odir, out });
    expect(Array.from(readNpy(join(out, 'propensity_sku.npy')).data as BigInt64Array)).toEqual([11n, 10n]);
    expect(Array.from(readNpy(join(out, 'popularity_propensity_sku.npy')).data as Float32Array)).toEqual([0.25, 0.75]);
    // validation: client 3 buys sku 10, client 1 sku 11; rows in input/relevant_clients.npy order (3, 1)
    const sku = fromFloat16Bits(readNpy(join(out, 'validation_target', 'sku.npy')).data as Uint16Array);
    expect(Array.from(sku)).toEqual([0, 1, 1, 0]);
    writeNpy(join(odir, 'relevant_clients.npy'), { dtype: 'int64', shape: [1], data: BigInt64Array.from([1n]) });
    await expect(buildTargets({ dir: odir, out: join(odir, 'targets2') })).rejects.toThrow(
      /both .*input\/relevant_clients\.npy and .*relevant_clients\.npy exist/,
    );
  });

  it('the generator at 10 clients: kinds of event it drew none of are written as empty files, and the result ingests', async () => {
    const gdir = freshDir('generate-10');
    const g = await generate({ clients: 10, out: join(gdir, 'data'), seed: 1 });
    expect(Object.values(g.events).some((n) => n === 0)).toBe(true); // this seed draws no purchase: the case that failed
    const lines: string[] = [];
    const stats = await ingest({ dir: join(gdir, 'data'), out: join(gdir, 'cache.seq'), log: (l) => lines.push(l) });
    expect(stats.events).toBe(Object.values(g.events).reduce((a, b) => a + b, 0));
    expect(lines.filter((l) => l.includes('has no rows'))).toHaveLength(Object.values(g.events).filter((n) => n === 0).length);
  });

  it('a log without searches (no search_query.parquet) or without removals (no rows): ingested, with a warning naming the file', async () => {
    const sdir = freshDir('sparse');
    await writeDataset(sdir, {
      search_query: null,
      remove_from_cart: `SELECT 1::BIGINT AS client_id, '2022-01-01 10:00:00' AS timestamp, 1::BIGINT AS sku WHERE false`,
    });
    const lines: string[] = [];
    const stats = await ingest({ dir: sdir, out: join(sdir, 'cache.seq'), log: (l) => lines.push(l) });
    expect(stats.events).toBe(9); // the tiny dataset's 11 less its search and its removal
    expect(lines).toContain(`warning: ${join(sdir, 'search_query.parquet')} is absent: the data has no search_query events`);
    expect(lines).toContain(`warning: ${join(sdir, 'remove_from_cart.parquet')} has no rows: the data has no remove_from_cart events`);
  });

  it('cuts the input at a time: later events are left out, their clients kept with empty histories', async () => {
    const out = join(dir, 'cut.seq');
    await ingest({ dir, out, topK: 1, before: '2022-01-03 00:00:00' });
    const c = new EventCache(out);
    expect(Array.from(c.clients)).toEqual([1n, 3n, 2n]);
    expect([0, 1, 2].map((i) => c.length(i))).toEqual([2, 1, 0]);
  });

  it('batches: bucketed by length, start and end tokens, the last events kept, every client once', () => {
    const c = new EventCache(join(dir, 'cache.seq'));
    const got = [...batches(c, { batchSize: 2, fields: ['event', 'sku'], maxEvents: 3 })];
    expect(got.map((b) => Array.from(b.clients))).toEqual([[2, 1], [0]]); // lengths 2 | 4, 5 (capped to 3)
    const b = got[1]!; // client 0: last three events are buy, search, buy
    const seq = Array.from({ length: b.layout.lengths[0]! }, (_, t) => b.ids.event![b.layout.row(0, t)]);
    expect(seq).toEqual([1, 5, 9, 5, 2]);
    const shuffled = [...batches(c, { batchSize: 1, fields: ['event'], rng: new Rng(3) })].map((x) => x.clients[0]);
    expect(shuffled.sort()).toEqual([0, 1, 2]);
  });
});

describe('bad input gives an error naming file, column and row, and writes nothing', () => {
  const cases: [string, Record<string, string | null>, RegExp, boolean?][] = [
    ['a missing file', { product_properties: null }, /product_properties\.parquet: missing/],
    [
      'a missing column',
      { product_buy: `SELECT 1::BIGINT AS client_id, '2022-01-01 00:00:00' AS timestamp` },
      /product_buy\.parquet: missing column 'sku' \(has client_id, timestamp\)/,
    ],
    [
      'a wrong type',
      { product_buy: `SELECT 1::BIGINT AS client_id, '2022-01-01 00:00:00' AS timestamp, 'x' AS sku` },
      /product_buy\.parquet: column 'sku' has type VARCHAR, expected BIGINT/,
    ],
    [
      'an unparsable timestamp',
      {
        product_buy:
          "SELECT * FROM (VALUES (1::BIGINT, '2022-01-01 00:00:00', 10::BIGINT), " +
          "(2::BIGINT, '2022-13-01 00:00:00', 10::BIGINT)) t(client_id, timestamp, sku)",
      },
      /product_buy\.parquet row 1: column 'timestamp' value '2022-13-01 00:00:00' is not a timestamp/,
    ],
    [
      'an unparsable code string',
      { search_query: `SELECT 1::BIGINT AS client_id, '2022-01-04 09:00:00' AS timestamp, '[1 2 3]' AS query` },
      /search_query\.parquet row 0: column 'query' value '\[1 2 3\]' is not 16 codes/,
    ],
    [
      'a code out of range',
      { product_properties: `SELECT 10::BIGINT AS sku, 1::BIGINT AS category, 1::BIGINT AS price, '[${new Array(15).fill(0).join(' ')} 256]' AS name` },
      /product_properties\.parquet row 0: column 'name' value .* is not 16 codes/,
    ],
    [
      'a null',
      { page_visit: `SELECT 1::BIGINT AS client_id, '2022-01-01 10:00:00' AS timestamp, NULL::BIGINT AS url` },
      /page_visit\.parquet row 0: column 'url' is null/,
    ],
    [
      'an empty file',
      { product_properties: `SELECT 1::BIGINT AS sku, 1::BIGINT AS category, 1::BIGINT AS price, '${zeros16}' AS name WHERE false` },
      /product_properties\.parquet: no rows/,
    ],
  ];
  for (const [what, patch, message] of cases)
    it(what, async () => {
      const dir = freshDir(what.replaceAll(' ', '-'));
      await writeDataset(dir, patch);
      const out = join(dir, 'cache.seq');
      await expect(ingest({ dir, out })).rejects.toThrow(message);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    });

  it('an unknown client in relevant_clients', async () => {
    const dir = freshDir('unknown-client');
    await writeDataset(dir);
    writeNpy(join(dir, 'relevant_clients.npy'), { dtype: 'int64', shape: [4], data: BigInt64Array.from([1n, 2n, 3n, 99n]) });
    await expect(ingest({ dir, out: join(dir, 'c.seq') })).rejects.toThrow(/relevant_clients\.npy: client 99 at index 3 has no events/);
    await expect(buildTargets({ dir, out: join(dir, 't') })).resolves.toBeTruthy(); // targets only index relevant clients
    unlinkSync(join(dir, 'relevant_clients.npy'));
    await expect(buildTargets({ dir, out: join(dir, 't2') })).rejects.toThrow(/relevant_clients\.npy/);
    expect(existsSync(join(dir, 't2'))).toBe(false);
  });
});

describe('generator', () => {
  it('writes the challenge schema with the real data statistics and learnable structure', async () => {
    const dir = freshDir('gen');
    const stats = await generate({ clients: 4000, out: dir, seed: 3 });
    const e = stats.events;
    expect(e.page_visit).toBeGreaterThan(5 * e.search_query); // visits ≫ searches > adds > removes ≈ buys
    expect(e.search_query).toBeGreaterThan(e.add_to_cart);
    expect(e.add_to_cart).toBeGreaterThan(e.remove_from_cart);
    expect(e.remove_from_cart / e.product_buy).toBeGreaterThan(0.5);
    expect(e.remove_from_cart / e.product_buy).toBeLessThan(2);
    for (const name of Object.keys(SCHEMA)) {
      const cols = await sql([`DESCRIBE SELECT * FROM read_parquet('${join(dir, `${name}.parquet`)}')`]);
      expect(Object.fromEntries(cols.map((c) => [c.column_name, c.column_type]))).toEqual(SCHEMA[name as keyof typeof SCHEMA]);
    }
    await ingest({ dir, out: join(dir, 'c.seq') });
    const c = new EventCache(join(dir, 'c.seq'));
    const lengths = Array.from(c.clients, (_, i) => c.length(i)).sort((a, b) => a - b);
    const q = (p: number): number => lengths[Math.floor(p * (lengths.length - 1))]!;
    expect(q(0.5)).toBe(2);
    expect(q(0.9)).toBeGreaterThanOrEqual(12);
    expect(q(0.9)).toBeLessThanOrEqual(26);
    expect(q(0.99)).toBeGreaterThanOrEqual(60);
    expect(c.file.meta.events).toBe(Object.values(e).reduce((a, b) => a + b, 0));
    // Zipf: the top 1 % of skus take a large share of the purchases (a uniform choice would give 1 %).
    const buys = `read_parquet('${join(dir, 'product_buy.parquet')}')`;
    const top = await sql([
      `SELECT sum(n) FILTER (WHERE r <= (SELECT count(DISTINCT sku) FROM ${buys}) / 100.0) / sum(n) AS share ` +
        `FROM (SELECT sku, count(*) AS n, row_number() OVER (ORDER BY count(*) DESC) AS r FROM ${buys} GROUP BY sku)`,
    ]);
    expect(Number(top[0]!.share)).toBeGreaterThan(0.05);
    // Learnable: the category a client touched most before the cut predicts the category of
    // what they buy in the target window far better than the popularity of categories does.
    const t = await buildTargets({ dir, out: join(dir, 'targets') });
    const props = `read_parquet('${join(dir, 'product_properties.parquet')}')`;
    const skuEvents = ['product_buy', 'add_to_cart', 'remove_from_cart']
      .map((f) => `SELECT client_id, timestamp, sku FROM read_parquet('${join(dir, `${f}.parquet`)}')`)
      .join(' UNION ALL ');
    const counts = `SELECT client_id, category, count(*) AS n FROM ev WHERE timestamp < '${t.inputCut}' GROUP BY ALL`;
    const [r] = await sql([
      `WITH ev AS (SELECT e.client_id, e.timestamp, p.category FROM (${skuEvents}) e JOIN ${props} p USING (sku)),
      fav AS (SELECT client_id, arg_max(category, n) AS fav FROM (${counts}) GROUP BY client_id),
      fut AS (SELECT DISTINCT b.client_id, p.category FROM ${buys} b JOIN ${props} p USING (sku) WHERE b.timestamp >= '${t.inputCut}'),
      pf AS (SELECT fav AS category, count(*) / sum(count(*)) OVER () AS p FROM fav GROUP BY fav),
      pt AS (SELECT category, count(*) / sum(count(*)) OVER () AS p FROM fut GROUP BY category)
      SELECT (SELECT avg((fut.category = fav.fav)::INT) FROM fut JOIN fav USING (client_id)) AS hit,
             (SELECT sum(pf.p * pt.p) FROM pf JOIN pt USING (category)) AS base`,
    ]);
    expect(Number(r!.hit)).toBeGreaterThan(3 * Number(r!.base));
  });

  it('is reproducible from its seed', async () => {
    const a = freshDir('seed-a'),
      b = freshDir('seed-b');
    await generate({ clients: 300, out: a, seed: 9 });
    await generate({ clients: 300, out: b, seed: 9 });
    const [x, y] = await Promise.all(
      [a, b].map((d) =>
        sql([
          "SELECT md5(string_agg(client_id || timestamp || sku, ',' ORDER BY client_id, timestamp, sku)) AS h " +
            `FROM read_parquet('${join(d, 'product_buy.parquet')}')`,
        ]),
      ),
    );
    expect(x![0]!.h).toBe(y![0]!.h);
  });
});
