// Ingestion of the challenge files into one chronological token sequence per client, with
// DuckDB doing the reading, joining, vocabularies and sorting out of core, and the result
// cached as columns (columnar.ts) so a second run starts training without parsing.
//
// Token fields of each event (ids 0 pad, 1 start, 2 end, 3 missing, 4 out of vocabulary):
//   event     5 + type (product_buy, add_to_cart, remove_from_cart, page_visit, search_query)
//   sku, url  5 + rank among the topK most frequent values; 4 for the rest; 3 where none
//   category  5 + rank by frequency (joined from product_properties); 3 where none
//   price     5 + bucket (0..99, joined); 3 where none
//   day       5 + days since the first day; week 5 + weeks since the first (ISO) week
//   query     index into the queryCodes table (16 codes per search event), -1 otherwise
import { progressBar } from '../train/progress.js';
import { join } from 'node:path';
import type { DuckDBResult } from '@duckdb/node-api';
import { ColumnFile, writeColumns } from '../io/columnar.js';
import { checkEventFile, checkFile, lit, openDuck, rows, TIMESTAMP_FORMAT } from './duck.js';
import { readIds, relevantClientsFile } from './inputs.js';
import { EVENT_TYPES } from './schema.js';

export const TOKEN = { pad: 0, start: 1, end: 2, missing: 3, oov: 4, first: 5 } as const;
export const FIELDS = ['event', 'sku', 'category', 'price', 'url', 'day', 'week'] as const;
export type Field = (typeof FIELDS)[number];

export interface IngestOptions {
  /** The directory of the challenge files. */
  dir: string;
  /** Cache file to write. */
  out: string;
  /** Vocabulary size kept for sku and url (default 5000). */
  topK?: number;
  /** Keep only events strictly before this time ("YYYY-MM-DD HH:mm:ss"), e.g. the input cut. */
  before?: string;
  log?: (line: string) => void;
}

export interface IngestStats {
  clients: number;
  events: number;
  relevant: number;
  seconds: number;
}

/** Growable typed-array column. */
class Column<T extends Int32Array | Uint8Array | Int16Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1 << 16);
  }
  /** Appends many values at once. */
  pushAll(values: ArrayLike<number>): void {
    while (this.length + values.length > this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data.set(values as ArrayLike<number> & Int32Array, this.length);
    this.length += values.length;
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/**
 * The values of an INTEGER result column. DuckDB's vector keeps them in an Int32Array
 * ('items', not part of the typed API): copied in bulk when present, else read one by one.
 */
function int32Items(vector: { itemCount: number; getItem(i: number): unknown }, n: number): Int32Array {
  const items = (vector as unknown as { items?: unknown }).items;
  if (items instanceof Int32Array && items.length >= n) return items.subarray(0, n);
  return Int32Array.from({ length: n }, (_, i) => vector.getItem(i) as number);
}

export async function ingest(o: IngestOptions): Promise<IngestStats> {
  const t0 = performance.now();
  const topK = o.topK ?? 5000;
  const log = o.log ?? (() => {});
  const { conn, close } = await openDuck();
  try {
    // One query at a time: a DuckDB connection is not to be used concurrently.
    // A sparse log may lack a kind of event (no searches, say): its part is then empty.
    const files: Record<string, string | null> = {};
    for (const n of EVENT_TYPES) files[n] = await checkEventFile(conn, o.dir, n, log);
    files.product_properties = await checkFile(conn, o.dir, 'product_properties');
    const cut = o.before ? `WHERE ts < strptime(${lit(o.before)}, '${TIMESTAMP_FORMAT}')` : '';
    const part = (type: number, name: string, sku: string, url: string, query: string): string =>
      files[name]
        ? `SELECT client_id, strptime(timestamp, '${TIMESTAMP_FORMAT}') AS ts, ${type} AS type, ${sku} AS sku, ${url} AS url, ${query} AS query ` +
          `FROM read_parquet(${lit(files[name])})`
        : `SELECT NULL::BIGINT AS client_id, NULL::TIMESTAMP AS ts, ${type} AS type, NULL::BIGINT AS sku, NULL::BIGINT AS url, ` +
          'NULL::VARCHAR AS query WHERE false';
    await conn.run(`CREATE TEMP VIEW ev_all AS
      ${part(0, 'product_buy', 'sku', 'NULL::BIGINT', 'NULL::VARCHAR')} UNION ALL
      ${part(1, 'add_to_cart', 'sku', 'NULL::BIGINT', 'NULL::VARCHAR')} UNION ALL
      ${part(2, 'remove_from_cart', 'sku', 'NULL::BIGINT', 'NULL::VARCHAR')} UNION ALL
      ${part(3, 'page_visit', 'NULL::BIGINT', 'url', 'NULL::VARCHAR')} UNION ALL
      ${part(4, 'search_query', 'NULL::BIGINT', 'NULL::BIGINT', 'query')}`);
    await conn.run(`CREATE TEMP TABLE ev AS SELECT * FROM ev_all ${cut}`);
    await conn.run(`CREATE TEMP TABLE props AS SELECT sku, category, price FROM read_parquet(${lit(files.product_properties!)})`);
    const dup = await rows(conn, `SELECT sku FROM props GROUP BY sku HAVING count(*) > 1 LIMIT 1`);
    if (dup.length) throw new Error(`${files.product_properties}: sku ${dup[0]!.sku} appears more than once`);
    const price = await rows(conn, `SELECT sku, price FROM props WHERE price < 0 OR price > 99 LIMIT 1`);
    if (price.length) throw new Error(`${files.product_properties}: price bucket ${price[0]!.price} of sku ${price[0]!.sku} is outside 0..99`);
    const span = (await rows(conn, `SELECT min(ts) AS lo, max(ts) AS hi, count(*) AS n FROM ev`))[0]!;
    if (Number(span.n) === 0) throw new Error(`${o.dir}: no events${o.before ? ` before ${o.before}` : ''}`);
    // Vocabularies: most frequent first, ties by value, so ids are deterministic.
    const vocab = (col: string, from: string, limit: string): string =>
      `CREATE TEMP TABLE v_${col} AS SELECT ${col} AS value, row_number() OVER (ORDER BY n DESC, ${col}) + ${TOKEN.first - 1} AS id
       FROM (SELECT ${col}, count(*) AS n FROM ${from} WHERE ${col} IS NOT NULL GROUP BY ${col} ORDER BY n DESC, ${col} ${limit})`;
    await conn.run(vocab('sku', 'ev', `LIMIT ${topK}`));
    await conn.run(vocab('url', 'ev', `LIMIT ${topK}`));
    await conn.run(vocab('category', '(SELECT p.category FROM ev JOIN props p USING (sku))', ''));
    const first = `strptime(${lit(String(span.lo).slice(0, 10))} || ' 00:00:00', '${TIMESTAMP_FORMAT}')`;
    log(`ingest: ${span.n} events from ${String(span.lo)} to ${String(span.hi)}; building sequences`);

    const result = await conn.stream(`
      SELECT e.client_id,
        (e.type + ${TOKEN.first})::INTEGER AS event,
        CASE WHEN e.sku IS NULL THEN ${TOKEN.missing} ELSE coalesce(vs.id, ${TOKEN.oov}) END::INTEGER AS sku,
        CASE WHEN p.category IS NULL THEN ${TOKEN.missing} ELSE coalesce(vc.id, ${TOKEN.oov}) END::INTEGER AS category,
        CASE WHEN p.price IS NULL THEN ${TOKEN.missing} ELSE p.price + ${TOKEN.first} END::INTEGER AS price,
        CASE WHEN e.url IS NULL THEN ${TOKEN.missing} ELSE coalesce(vu.id, ${TOKEN.oov}) END::INTEGER AS url,
        (date_diff('day', ${first}, e.ts) + ${TOKEN.first})::INTEGER AS day,
        (date_diff('week', date_trunc('week', ${first}), date_trunc('week', e.ts)) + ${TOKEN.first})::INTEGER AS week,
        e.query
      FROM ev e
      LEFT JOIN props p ON p.sku = e.sku
      LEFT JOIN v_sku vs ON vs.value = e.sku
      LEFT JOIN v_category vc ON vc.value = p.category
      LEFT JOIN v_url vu ON vu.value = e.url
      ORDER BY e.client_id, e.ts, e.type`);
    const { clients, offsets, cols, codes } = await readSequences(result, Number(span.n));
    const events = offsets[offsets.length - 1]!;
    // Relevant clients must exist in the event files; those whose events all fall after the
    // cut get an empty sequence (the batcher still gives them start and end tokens).
    const relevantPath = relevantClientsFile(o.dir);
    let relevant: BigInt64Array = BigInt64Array.from(clients);
    if (!relevantPath) log(`ingest: no relevant_clients.npy in ${join(o.dir, 'input')} or ${o.dir}: every client is relevant`);
    else {
      relevant = readIds(relevantPath);
      const known = new Set(clients);
      const absent = [...new Set(relevant.filter((id) => !known.has(id)))];
      if (absent.length) {
        const later = new Set(
          (await rows(conn, `SELECT DISTINCT client_id AS c FROM ev_all WHERE client_id IN (${absent.join(', ')})`)).map((x) => BigInt(x.c as bigint)),
        );
        const unknown = relevant.findIndex((id) => !known.has(id) && !later.has(id));
        if (unknown >= 0) throw new Error(`${relevantPath}: client ${relevant[unknown]} at index ${unknown} has no events in the event files`);
        for (const id of absent) {
          clients.push(id);
          offsets.push(events);
        }
      }
    }
    const clientIds = BigInt64Array.from(clients);
    const vocabs: Record<string, BigInt64Array> = {};
    for (const f of ['sku', 'url', 'category'])
      vocabs[f] = BigInt64Array.from((await rows(conn, `SELECT value FROM v_${f} ORDER BY id`)).map((r) => BigInt(r.value as bigint)));
    writeColumns(
      o.out,
      {
        kind: 'seqcore-events',
        version: 1,
        topK,
        before: o.before ?? null,
        first: String(span.lo),
        last: String(span.hi),
        clients: clients.length,
        events,
      },
      {
        clients: clientIds,
        offsets: Int32Array.from(offsets),
        relevant,
        ...Object.fromEntries(FIELDS.map((f) => [f, cols[f].done()])),
        query: cols.query.done(),
        queryCodes: codes.done(),
        vocabSku: vocabs.sku!,
        vocabUrl: vocabs.url!,
        vocabCategory: vocabs.category!,
      },
    );
    const stats = { clients: clients.length, events, relevant: relevant.length, seconds: (performance.now() - t0) / 1000 };
    log(`ingest: ${stats.clients} clients, ${stats.events} events → ${o.out} in ${stats.seconds.toFixed(1)} s`);
    return stats;
  } finally {
    close();
  }
}

export interface Sequences {
  clients: bigint[];
  offsets: number[];
  cols: Record<Field | 'query', { done(): Int32Array | Uint8Array | Int16Array }>;
  codes: { done(): Uint8Array };
}

/**
 * Reads a result ordered by client and time whose columns are client_id, then the FIELDS
 * as INTEGER, then query (VARCHAR or NULL), into per-field columns and client offsets.
 */
/** The rows of `result` (one event each, by client and time) as sequences; `total` rows expected, for the progress bar. */
export async function readSequences(result: DuckDBResult, total?: number): Promise<Sequences> {
  const bar = total === undefined ? undefined : progressBar('ingest: events', total);
  const clients: bigint[] = [],
    offsets: number[] = [0];
  const cols = {
    event: new Column((n) => new Uint8Array(n)),
    sku: new Column((n) => new Int32Array(n)),
    category: new Column((n) => new Int32Array(n)),
    price: new Column((n) => new Uint8Array(n)),
    url: new Column((n) => new Int32Array(n)),
    day: new Column((n) => new Int16Array(n)),
    week: new Column((n) => new Uint8Array(n)),
    query: new Column((n) => new Int32Array(n)),
  };
  const codes = new Column((n) => new Uint8Array(n));
  let searches = 0,
    events = 0,
    last: bigint | null = null;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const n = chunk.rowCount;
    const client = chunk.getColumnVector(0);
    for (let i = 0; i < n; i++) {
      const id = client.getItem(i) as bigint;
      if (id !== last) {
        if (last !== null) offsets.push(events + i);
        clients.push(id);
        last = id;
      }
    }
    FIELDS.forEach((f, k) => cols[f].pushAll(int32Items(chunk.getColumnVector(k + 1), n)));
    const query = chunk.getColumnVector(8);
    for (let i = 0; i < n; i++) {
      const q = query.getItem(i) as string | null;
      if (q) {
        for (const v of q.slice(1, -1).split(' ')) codes.push(Number(v));
        cols.query.push(searches++);
      } else cols.query.push(-1);
    }
    events += n;
    bar?.update(events, `${clients.length} clients`);
  }
  bar?.end();
  offsets.push(events);
  if (events > 0x7fffffff) throw new Error(`ingest: ${events} events exceed the cache's 2^31 limit`);
  return { clients, offsets, cols, codes };
}

/** The cached sequences, read back (one array at a time from the file). */
export class EventCache {
  readonly file: ColumnFile;
  readonly clients: BigInt64Array;
  readonly offsets: Int32Array;
  constructor(path: string) {
    this.file = new ColumnFile(path);
    if (this.file.meta.kind !== 'seqcore-events') throw new Error(`${path}: not an event cache (kind ${String(this.file.meta.kind)})`);
    this.clients = this.file.readArray('clients');
    this.offsets = this.file.readArray('offsets');
  }
  field(f: Field | 'query'): Int32Array | Uint8Array | Int16Array {
    return this.file.readArray(f);
  }
  length(client: number): number {
    return this.offsets[client + 1]! - this.offsets[client]!;
  }
  /** The cache index of each client id, -1 for ids not in the cache. */
  rowsOf(ids: BigInt64Array): Int32Array {
    const index = new Map<bigint, number>();
    this.clients.forEach((c, i) => index.set(c, i));
    return Int32Array.from(ids, (id) => index.get(id) ?? -1);
  }
}
