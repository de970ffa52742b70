// DuckDB helpers shared by ingestion and targets: open a connection, check a challenge file
// against its schema, and turn DuckDB failures into errors that name the file.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkOutputDir } from '../io/atomic.js';
import { SCHEMA, type EventType } from './schema.js';

/**
 * An in-memory DuckDB. The module is loaded here, on first use, not when seqcore is
 * imported: DuckDB's native library and Dawn's (with Mesa) crash when both are loaded in one
 * process, so programs that train on a cache (and the webgpu backend) never load DuckDB.
 */
export async function openDuck(): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      db.closeSync();
    },
  };
}

/** SQL string literal: every path and value put into SQL goes through it (a folder named "it's" must not end the string). */
export const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjects();
}

export const TIMESTAMP_FORMAT = '%Y-%m-%d %H:%M:%S';
/** One code 0..255 in decimal (leading zeros allowed: ingestion's Number() reads them alike). */
const CODE = '0*(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/**
 * SQL: `col` is a "[a b c ...]" string of 16 codes 0..255 exactly as ingestion reads it (the
 * text between the brackets split at single spaces, each part a number). A regular expression,
 * not DuckDB's casts, which accept more than that reading: '5.7' casts to 6, '1_0' to 10, and
 * trimming brackets let "[[1 2 …]]" through, each then stored as a wrong code.
 */
export const codesOk = (col: string): string => `regexp_full_match(${col}, '\\[(${CODE} ){15}${CODE}\\]')`;

/**
 * An event file of a sparse log: its path (checked as checkFile does), or null, with a
 * warning naming it, when it is absent or has no rows (a log without searches, say).
 */
export async function checkEventFile(conn: DuckDBConnection, dir: string, name: EventType, warn: (line: string) => void): Promise<string | null> {
  const file = join(dir, `${name}.parquet`);
  if (!existsSync(file)) {
    warn(`warning: ${file} is absent: the data has no ${name} events`);
    return null;
  }
  const n = await rows(conn, `SELECT count(*) AS n FROM read_parquet(${lit(file)})`).catch(() => null); // unreadable: checkFile says why
  if (n !== null && Number(n[0]!.n) === 0) {
    warn(`warning: ${file} has no rows: the data has no ${name} events`);
    return null;
  }
  return checkFile(conn, dir, name);
}

/**
 * Checks that a challenge file exists, has the expected columns and types, is not empty,
 * and that its timestamps and code strings parse; every error names file, column and row.
 * Returns the file's path.
 */
export async function checkFile(conn: DuckDBConnection, dir: string, name: keyof typeof SCHEMA): Promise<string> {
  checkOutputDir(dir);
  const file = join(dir, `${name}.parquet`);
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`${file}: missing (expected the challenge's ${name}.parquet)`);
  let cols: Record<string, unknown>[];
  try {
    cols = await rows(conn, `DESCRIBE SELECT * FROM read_parquet(${lit(file)})`);
  } catch (e) {
    throw new Error(`${file}: not a readable Parquet file (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  const have = new Map(cols.map((c) => [String(c.column_name), String(c.column_type)]));
  for (const [col, type] of Object.entries(SCHEMA[name])) {
    if (!have.has(col)) throw new Error(`${file}: missing column '${col}' (has ${[...have.keys()].join(', ')})`);
    const t = have.get(col)!;
    const ok = type === 'BIGINT' ? /^(BIGINT|INTEGER|SMALLINT|TINYINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)$/.test(t) : t === 'VARCHAR';
    if (!ok) throw new Error(`${file}: column '${col}' has type ${t}, expected ${type}`);
  }
  const src = `read_parquet(${lit(file)}, file_row_number = true)`;
  const n = Number((await rows(conn, `SELECT count(*) AS n FROM ${src}`))[0]!.n);
  if (n === 0) throw new Error(`${file}: no rows`);
  for (const col of Object.keys(SCHEMA[name])) {
    const bad = await rows(conn, `SELECT file_row_number AS r FROM ${src} WHERE ${col} IS NULL LIMIT 1`);
    if (bad.length) throw new Error(`${file} row ${bad[0]!.r}: column '${col}' is null`);
  }
  const checks: [string, string, string][] = [];
  if ('timestamp' in SCHEMA[name])
    checks.push(['timestamp', `try_strptime(timestamp, '${TIMESTAMP_FORMAT}') IS NULL`, 'is not a timestamp "YYYY-MM-DD HH:mm:ss"']);
  for (const col of ['query', 'name']) if (col in SCHEMA[name]) checks.push([col, `NOT ${codesOk(col)}`, 'is not 16 codes 0..255 written "[a b c ...]"']);
  for (const [col, where, what] of checks) {
    const bad = await rows(conn, `SELECT file_row_number AS r, CAST(${col} AS VARCHAR) AS v FROM ${src} WHERE ${where} LIMIT 1`);
    if (bad.length) throw new Error(`${file} row ${bad[0]!.r}: column '${col}' value '${bad[0]!.v}' ${what}`);
  }
  return file;
}
