// Ingest suite: challenge Parquet → cached packed-ready sequences, events/s and peak RSS,
// beside a straightforward DuckDB `list(... ORDER BY timestamp) GROUP BY client_id` query
// materialised in JavaScript. Each run is a fresh process; data is generated once per size.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../ts/data/generate.js';
import { report, type Row, type SuiteOptions } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SIZES = [100_000, 1_000_000];

interface Run {
  seconds: number;
  events: number;
  clients: number;
  rss: number;
}

function run(mode: string, dir: string): Run {
  // Both sides get a 16 GiB JS heap: with Node's default heap the list() query's result
  // does not fit at 1M clients (V8 aborts with "heap out of memory").
  const r = spawnSync(process.execPath, ['--max-old-space-size=16384', '--import', 'tsx', join(HERE, 'ingest_worker.ts'), mode, dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${mode} ingestion of ${dir} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

export async function ingestSuite(opts: SuiteOptions): Promise<void> {
  const rows: Row[] = [];
  for (const n of SIZES) {
    const dir = join(tmpdir(), `seqcore-bench-ingest-${n}`);
    if (!existsSync(join(dir, 'relevant_clients.npy'))) await generate({ clients: n, out: dir, seed: 1 });
    let ours: Run | null = null,
      ref: Run | null = null;
    for (let round = 0; round < opts.rounds; round++) {
      const a = run('seqcore', dir),
        b = run('duckdb-list', dir);
      if (a.events !== b.events) throw new Error(`the two ingestions disagree: ${a.events} vs ${b.events} events`);
      if (!ours || a.seconds < ours.seconds) ours = a;
      if (!ref || b.seconds < ref.seconds) ref = b;
    }
    rows.push({
      suite: 'ingest',
      case: `${n / 1000}k clients`,
      ours: ours!.events / ours!.seconds,
      reference: ref!.events / ref!.seconds,
      unit: 'events/s',
      extra: {
        events: String(ours!.events),
        'seqcore s': ours!.seconds.toFixed(1),
        'list() s': ref!.seconds.toFixed(1),
        'seqcore peak RSS MiB': ours!.rss.toFixed(0),
        'list() peak RSS MiB': ref!.rss.toFixed(0),
      },
    });
  }
  report(rows, opts.json, [
    `ingest: generated challenge Parquet → sequences; each side a fresh process, best of ${opts.rounds}; ` +
      'reference: DuckDB list(... ORDER BY timestamp) GROUP BY client_id materialised in JavaScript',
  ]);
}
