// Generic interaction logs into the same event cache as the challenge data: a CSV, TSV or
// Parquet file with user, item and time columns (and optionally an event type), named by
// flags; or the `uid i1 i2 ...` text format of Amazon Beauty (one line per user, items in
// time order, no timestamps). Users and items are integer ids; items keep the topK most
// frequent (the sku field), event types get ids by frequency; other fields are "missing".
// Errors name the line of a text file (the row of a Parquet file) and quote the value as
// written there.
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { writeColumns } from '../io/columnar.js';
import { lit, openDuck, rows } from './duck.js';
import { onFile, readText, textLines } from '../io/files.js';
import { FIELDS, readSequences, TOKEN } from './ingest.js';
import { uniqueIndex } from './inputs.js';

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

const isInt64 = (s: string): boolean => /^-?\d+$/.test(s) && BigInt(s) >= -(2n ** 63n) && BigInt(s) < 2n ** 63n;

/** Beauty.txt → a temporary CSV of user,item,position; errors name the line (a user on two lines: both). */
function beautyToCsv(file: string, dir: string): string {
  const csv = join(dir, 'beauty.csv');
  const users: bigint[] = [],
    lines: number[] = [];
  const fd = onFile(csv, () => openSync(csv, 'w'));
  const write = (text: string): void => {
    onFile(csv, () => writeSync(fd, text));
  };
  try {
    write('user,item,time\n');
    textLines(readText(file)).forEach((line, n) => {
      if (!line.trim()) return;
      const parts = line.trim().split(/\s+/);
      const bad = parts.findIndex((p) => !isInt64(p));
      if (bad >= 0) throw new Error(`${file} line ${n + 1}: '${parts[bad]}' is not an integer id (expected "uid i1 i2 ...", ids within int64)`);
      if (parts.length < 2) throw new Error(`${file} line ${n + 1}: user ${parts[0]} has no items`);
      users.push(BigInt(parts[0]!));
      lines.push(n + 1);
      write(
        parts
          .slice(1)
          .map((item, t) => `${parts[0]},${item},${t}`)
          .join('\n') + '\n',
      );
    });
  } finally {
    closeSync(fd);
  }
  // One line per user: positions restart on a second line, so its items would interleave with the first's.
  uniqueIndex(users, file, 'user', (i) => `line ${lines[i]}`);
  return csv;
}

/**
 * The line (from 1) on which data row `row` (from 0, after the header) of a CSV or TSV file
 * starts, counted as DuckDB counts rows: blank lines are skipped, a quoted field may span
 * lines. Only to place an error, so the file is scanned again here.
 */
function csvLine(file: string, row: number): number {
  const fd = onFile(file, () => openSync(file, 'r'));
  const buf = Buffer.alloc(1 << 20);
  let line = 1,
    record = -2,
    quoted = false,
    blank = true; // the header is record -1
  try {
    for (let n: number; (n = onFile(file, () => readSync(fd, buf))) > 0;) {
      for (let k = 0; k < n; k++) {
        const c = buf[k];
        if (c === 0x0a) {
          line++;
          blank = !quoted;
          continue;
        }
        if (quoted) {
          quoted = c !== 0x22;
          continue;
        } // "" in a quoted field closes and reopens it
        if (c === 0x0d) continue;
        if (blank && ++record === row) return line;
        blank = false;
        if (c === 0x22) quoted = true;
      }
    }
  } finally {
    closeSync(fd);
  }
  return line;
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
    const cols = beauty
      ? { user: 'user', item: 'item', time: 'time', event: undefined }
      : { user: o.user ?? 'user', item: o.item ?? 'item', time: o.time ?? 'timestamp', event: o.event };
    const csv = (text: string[] = []): string => {
      const types = text.length ? `, types = {${text.map((c) => `${lit(c)}: 'VARCHAR'`).join(', ')}}` : '';
      return `read_csv(${lit(path)}, header = true, delim = ${lit(format === 'tsv' ? '\t' : ',')}${types})`;
    };
    const src = format === 'parquet' ? `read_parquet(${lit(path)})` : csv();
    let have: Map<string, string>;
    try {
      have = new Map((await rows(conn, `DESCRIBE SELECT * FROM ${src}`)).map((c) => [String(c.column_name), String(c.column_type)]));
    } catch (e) {
      throw new Error(`${o.file}: cannot be read as ${format} (${(e as Error).message.split('\n')[0]})`, { cause: e });
    }
    for (const [role, name] of Object.entries(cols))
      if (name !== undefined && !have.has(name))
        throw new Error(`${o.file}: no ${role} column '${name}' (has ${[...have.keys()].join(', ')}; name it with --${role})`);
    const q = (c: string): string => `"${c.replaceAll('"', '""')}"`;
    // Ids of a text file are read as text: a bad one is quoted as written, not as DuckDB typed
    // it (99999999999999999999 would be the DOUBLE '1e+20'); times keep the type DuckDB
    // detects (any date format it knows). raw keeps the file's row order (DuckDB preserves
    // insertion order), so its rowid is the row's index in the file.
    const typed = format === 'parquet' ? src : csv([...new Set([cols.user, cols.item])]);
    await conn.run(
      `CREATE TEMP TABLE raw AS SELECT ${q(cols.user)} AS u, ${q(cols.item)} AS i, ${q(cols.time)} AS t` +
        `${cols.event ? `, CAST(${q(cols.event)} AS VARCHAR) AS e` : ', NULL::VARCHAR AS e'} FROM ${typed}`,
    );
    if (Number((await rows(conn, 'SELECT count(*) AS n FROM raw'))[0]!.n) === 0) throw new Error(`${o.file}: no rows`);
    const at = (r: unknown): string => (format === 'parquet' ? `row ${r}` : `line ${csvLine(o.file, Number(r))}`);
    const firstBad = async (col: string, bad: string): Promise<{ at: string; v: string } | undefined> => {
      const r = (await rows(conn, `SELECT rowid AS r, CAST(${col} AS VARCHAR) AS v FROM raw WHERE ${bad} ORDER BY rowid LIMIT 1`))[0];
      return r && { at: at(r.r), v: String(r.v) };
    };
    for (const [role, c] of [
      ['user', 'u'],
      ['item', 'i'],
    ] as const) {
      const bad = await firstBad(c, `try_cast(${c} AS BIGINT) IS NULL`);
      if (bad) throw new Error(`${o.file} ${bad.at}: ${role} '${bad.v}' in column '${cols[role]}' is not an integer id (within int64)`);
    }
    // Time: an integer (seconds since 1970, or a position for Beauty) or a timestamp. A column
    // DuckDB reads as text (some value is neither) is whichever most of its values are, so
    // that the error names the odd line out.
    const timeType = have.get(cols.time) ?? '';
    const numeric =
      /INT/.test(timeType) ||
      (timeType === 'VARCHAR' && Boolean((await rows(conn, 'SELECT count(try_cast(t AS BIGINT)) > count(try_cast(t AS TIMESTAMP)) AS n FROM raw'))[0]!.n));
    if (!beauty) {
      const bad = await firstBad('t', `try_cast(t AS ${numeric ? 'BIGINT' : 'TIMESTAMP'}) IS NULL`);
      if (bad) throw new Error(`${o.file} ${bad.at}: time '${bad.v}' in column '${cols.time}' is not a timestamp or a number of seconds`);
    }
    const ts = numeric ? (beauty ? 'NULL::TIMESTAMP' : 'to_timestamp(t::BIGINT)::TIMESTAMP') : 'try_cast(t AS TIMESTAMP)';
    await conn.run(
      `CREATE TEMP TABLE ev AS SELECT u::BIGINT AS client_id, i::BIGINT AS item, ${ts} AS ts, ${numeric ? 't::BIGINT' : '0'} AS pos, rowid AS r, e FROM raw`,
    );
    await conn.run(
      `CREATE TEMP TABLE v_item AS SELECT item AS value, row_number() OVER (ORDER BY n DESC, item) + ${TOKEN.first - 1} AS id ` +
        `FROM (SELECT item, count(*) AS n FROM ev GROUP BY item ORDER BY n DESC, item LIMIT ${o.topK ?? 5000})`,
    );
    await conn.run(
      `CREATE TEMP TABLE v_event AS SELECT e AS value, row_number() OVER (ORDER BY n DESC, e) + ${TOKEN.first - 1} AS id ` +
        'FROM (SELECT e, count(*) AS n FROM ev WHERE e IS NOT NULL GROUP BY e)',
    );
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
    writeColumns(
      o.out,
      { kind: 'seqcore-events', version: 1, source: o.file, format, events, clients: clients.length, eventTypes: (await vocab('v_event')).map(String) },
      {
        clients,
        offsets: Int32Array.from(seq.offsets),
        relevant: clients,
        ...Object.fromEntries(FIELDS.map((f) => [f, seq.cols[f].done()])),
        query: seq.cols.query.done(),
        queryCodes: seq.codes.done(),
        vocabSku: BigInt64Array.from((await vocab('v_item')).map((v) => BigInt(v as bigint))),
      },
    );
    return { clients: clients.length, events };
  } finally {
    close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
