// One ingestion run in a fresh process, for bench/ingest.ts:
//   node --import tsx bench/ingest_worker.ts seqcore|duckdb-list DIR  →  {"seconds", "events", "clients", "rss"}
// duckdb-list is the straightforward alternative: one DuckDB query that groups each client's
// events into a time-ordered list, materialised in JavaScript.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingest } from '../ts/data/ingest.js';

const [mode, dir] = process.argv.slice(2) as [string, string];
const t0 = performance.now();
let events: number, clients: number;
if (mode === 'seqcore') {
  const out = mkdtempSync(join(tmpdir(), 'seqcore-ingest-'));
  try {
    ({ events, clients } = await ingest({ dir, out: join(out, 'cache.seq') }));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
} else if (mode === 'duckdb-list') {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const f = (n: string): string => `read_parquet('${join(dir, `${n}.parquet`)}')`;
  const reader = await conn.runAndReadAll(`
    SELECT client_id, list({ts: strptime(timestamp, '%Y-%m-%d %H:%M:%S'), type: type, sku: sku, url: url, query: query} ORDER BY timestamp) AS events
    FROM (SELECT client_id, timestamp, 0 AS type, sku, NULL::BIGINT AS url, NULL AS query FROM ${f('product_buy')}
          UNION ALL SELECT client_id, timestamp, 1, sku, NULL, NULL FROM ${f('add_to_cart')}
          UNION ALL SELECT client_id, timestamp, 2, sku, NULL, NULL FROM ${f('remove_from_cart')}
          UNION ALL SELECT client_id, timestamp, 3, NULL, url, NULL FROM ${f('page_visit')}
          UNION ALL SELECT client_id, timestamp, 4, NULL, NULL, query FROM ${f('search_query')})
    GROUP BY client_id`);
  const rows = reader.getRowObjectsJS() as { events: unknown[] }[];
  clients = rows.length;
  events = rows.reduce((n, r) => n + r.events.length, 0);
  conn.closeSync();
  db.closeSync();
} else throw new Error(`unknown mode '${mode}'`);
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, events, clients, rss: process.resourceUsage().maxRSS / 1024 })}\n`);
