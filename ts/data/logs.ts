// Generic interaction logs into the same event cache as the challenge data: a CSV, TSV or
// Parquet file with user, item and time columns (and optionally an event type), named by
// flags; or the `uid i1 i2 ...` text format of Amazon Beauty (one line per user, items in
// time order, no timestamps). Users and items are integer ids; items keep the topK most
// frequent (the sku field), event types get ids by frequency; other fields are "missing".
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { writeColumns } from './columnar.js';
import { lit, openDuck, rows } from './duck.js';
import { FIELDS, readSequences, TOKEN } from './ingest.js';

export interface LogOptions {
  file: string;
  out: string;
  /** Default: from the extension (.csv, .tsv, .parquet, .txt = beauty). */
  format?: 'csv' | 'tsv' | 'parquet' | 'beauty';
  user?: string;
  item?: string;
  time?: string;
  event?: string;
  topK?: number;
}

/** Beauty.txt → a temporary CSV of user,item,position; errors name the line. */
function beautyToCsv(file: string, dir: string): string {
  const csv = join(dir, 'beauty.csv');
  const fd = openSync(csv, 'w');
  try {
    writeSync(fd, 'user,item,time\n');
    readFileSync(file, 'utf8').split('\n').forEach((line, n) => {
      if (!line.trim()) return;
      const parts = line.trim().split(/\s+/);
      const bad = parts.findIndex((p) => !/^-?\d+$/.test(p));
      if (bad >= 0) throw new Error(`${file} line ${n + 1}: '${parts[bad]}' is not an integer id (expected "uid i1 i2 ...")`);
      if (parts.length < 2) throw new Error(`${file} line ${n + 1}: user ${parts[0]} has no items`);
      writeSync(fd, parts.slice(1).map((item, t) => `${parts[0]},${item},${t}`).join('\n') + '\n');
    });
  } finally {
    closeSync(fd);
  }
  return csv;
}

export async function ingestLog(o: LogOptions): Promise<{ clients: number; events: number }> {
  if (!existsSync(o.file)) throw new Error(`${o.file}: no such file`);
  const ext = extname(o.file).toLowerCase();
  const format = o.format ?? (ext === '.parquet' ? 'parquet' : ext === '.tsv' ? 'tsv' : ext === '.txt' ? 'beauty' : 'csv');
  const tmp = mkdtempSync(join(tmpdir(), 'seqcore-log-'));
  const { conn, close } = await openDuck();
  try {
    const beauty = format === 'beauty';
    const path = beauty ? beautyToCsv(o.file, tmp) : o.file;
    const cols = beauty ? { user: 'user', item: 'item', time: 'time', event: undefined } : { user: o.user ?? 'user', item: o.item ?? 'item', time: o.time ?? 'timestamp', event: o.event };
    const src = format === 'parquet' ? `read_parquet(${lit(path)})` : `read_csv(${lit(path)}, header = true, delim = ${lit(format === 'tsv' ? '\t' : ',')})`;
    let have: Map<string, string>;
    try {
      have = new Map((await rows(conn, `DESCRIBE SELECT * FROM ${src}`)).map((c) => [String(c.column_name), String(c.column_type)]));
    } catch (e) {
      throw new Error(`${o.file}: cannot be read as ${format} (${(e as Error).message.split('\n')[0]})`);
    }
    for (const [role, name] of Object.entries(cols))
      if (name !== undefined && !have.has(name)) throw new Error(`${o.file}: no ${role} column '${name}' (has ${[...have.keys()].join(', ')}; name it with --${role})`);
    const q = (c: string): string => `"${c.replaceAll('"', '""')}"`;
    await conn.run(`CREATE TEMP TABLE raw AS SELECT row_number() OVER () - 1 AS r, ${q(cols.user)} AS u, ${q(cols.item)} AS i, ${q(cols.time)} AS t${cols.event ? `, CAST(${q(cols.event)} AS VARCHAR) AS e` : ', NULL::VARCHAR AS e'} FROM ${src}`);
    if (Number((await rows(conn, 'SELECT count(*) AS n FROM raw'))[0]!.n) === 0) throw new Error(`${o.file}: no rows`);
    for (const [role, c] of [['user', 'u'], ['item', 'i']] as const) {
      const bad = await rows(conn, `SELECT r, CAST(${c} AS VARCHAR) AS v FROM raw WHERE try_cast(${c} AS BIGINT) IS NULL LIMIT 1`);
      if (bad.length) throw new Error(`${o.file} row ${bad[0]!.r}: ${role} '${bad[0]!.v}' in column '${cols[role]}' is not an integer id`);
    }
    // Time: an integer (seconds since 1970, or a position for Beauty) or a timestamp.
    const timeType = have.get(cols.time) ?? '';
    const numeric = /INT/.test(timeType);
    const ts = numeric ? (beauty ? 'NULL::TIMESTAMP' : 'to_timestamp(t::BIGINT)::TIMESTAMP') : 'try_cast(t AS TIMESTAMP)';
    if (!beauty) {
      const bad = await rows(conn, `SELECT r, CAST(t AS VARCHAR) AS v FROM raw WHERE ${ts} IS NULL LIMIT 1`);
      if (bad.length) throw new Error(`${o.file} row ${bad[0]!.r}: time '${bad[0]!.v}' in column '${cols.time}' is not a timestamp or a number of seconds`);
    }
    await conn.run(`CREATE TEMP TABLE ev AS SELECT u::BIGINT AS client_id, i::BIGINT AS item, ${ts} AS ts, ${numeric ? 't::BIGINT' : '0'} AS pos, r, e FROM raw`);
    await conn.run(`CREATE TEMP TABLE v_item AS SELECT item AS value, row_number() OVER (ORDER BY n DESC, item) + ${TOKEN.first - 1} AS id FROM (SELECT item, count(*) AS n FROM ev GROUP BY item ORDER BY n DESC, item LIMIT ${o.topK ?? 5000})`);
    await conn.run(`CREATE TEMP TABLE v_event AS SELECT e AS value, row_number() OVER (ORDER BY n DESC, e) + ${TOKEN.first - 1} AS id FROM (SELECT e, count(*) AS n FROM ev WHERE e IS NOT NULL GROUP BY e)`);
    const first = `(SELECT date_trunc('day', min(ts)) FROM ev)`;
    const result = await conn.stream(`
      SELECT ev.client_id,
        coalesce(ve.id, ${TOKEN.first})::INTEGER AS event,
        coalesce(vi.id, ${TOKEN.oov})::INTEGER AS sku,
        ${TOKEN.missing}::INTEGER AS category, ${TOKEN.missing}::INTEGER AS price, ${TOKEN.missing}::INTEGER AS url,
        coalesce(date_diff('day', ${first}, ts) + ${TOKEN.first}, ${TOKEN.missing})::INTEGER AS day,
        coalesce(date_diff('week', date_trunc('week', ${first}), date_trunc('week', ts)) + ${TOKEN.first}, ${TOKEN.missing})::INTEGER AS week,
        NULL::VARCHAR AS query
      FROM ev LEFT JOIN v_item vi ON vi.value = ev.item LEFT JOIN v_event ve ON ve.value = ev.e
      ORDER BY ev.client_id, ev.ts, ev.pos, ev.r`);
    const seq = await readSequences(result);
    const events = seq.offsets[seq.offsets.length - 1]!;
    const vocab = async (t: string): Promise<unknown[]> => (await rows(conn, `SELECT value FROM ${t} ORDER BY id`)).map((r) => r.value);
    const clients = BigInt64Array.from(seq.clients);
    writeColumns(o.out, { kind: 'seqcore-events', version: 1, source: o.file, format, events, clients: clients.length, eventTypes: (await vocab('v_event')).map(String) }, {
      clients, offsets: Int32Array.from(seq.offsets), relevant: clients,
      ...Object.fromEntries(FIELDS.map((f) => [f, seq.cols[f].done()])), query: seq.cols.query.done(), queryCodes: seq.codes.done(),
      vocabSku: BigInt64Array.from((await vocab('v_item')).map((v) => BigInt(v as bigint))),
    });
    return { clients: clients.length, events };
  } finally {
    close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
