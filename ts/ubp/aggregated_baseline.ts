// The organisers' aggregated-features baseline (github.com/Synerise/recsys2025, baseline/
// README_AGGREGATED_FEATURES.md and baseline/aggregated_features_baseline/: create_embeddings.py,
// features_aggregator.py, calculators.py, constants.py), reproduced value for value: their
// float16 embeddings, written in the submission format. Checked against their own code's output
// by test/organisers_baseline.test.ts (fixture: scripts/organisers/baseline_fixture.py).
//
// One block per event type, in their EVENT_TYPE_TO_COLUMNS order (constants.py):
//   product_buy, add_to_cart, remove_from_cart (columns sku, category, price), page_visit (url):
//     StatsFeaturesCalculator: [number of the client's events of that type (all of them), then for
//     each window of --num-days (1, 7, 30) and each column, the client's count of each of the
//     type's top-N (10) values in that window]: 1 + 3·(3·10) = 91 columns (page_visit 31);
//   search_query: QueryFeaturesCalculator: the mean of the client's query codes (16 columns).
// Block order product_buy, add_to_cart, remove_from_cart, page_visit, search_query: 320 columns
// (91 + 91 + 91 + 31 + 16).
//
// What their code does, and this does the same:
//   - Events are those of the relevant clients only (FeaturesAggregator._filter_events_to_relevant_clients)
//     with product properties joined on sku (data_utils/utils.py load_with_properties). With
//     `before`, only events before it: the input chunk of their data_utils/split_data.py
//     (timestamp < train-target start). Without it, all events (their README's setup for
//     recreating the submitted profiles).
//   - End date: per event type, the latest timestamp among those events (get_calculator's
//     max_date); window d starts at max_date − d days.
//   - Top N: per event type and column, value_counts() over those events (all time, not per
//     window), its first N. Ties keep pandas 2.2's order: keys in first-appearance order in the
//     file, then Series.sort_values(ascending=False) = nargsort: numpy's (unstable) introsort
//     argsort of the reversed counts, reversed (pandasTopValues below, numpy 1.24's quicksort).
//   - THE QUIRK (calculators.py, StatsFeaturesCalculator.compute_features): idx =
//     searchsorted(start) in the client's timestamps SORTED, i.e. the number of events before
//     the window; but the counts are then taken over events[column].to_numpy()[idx:], the rows in
//     the file's order (groupby keeps it), not in time order. So window d counts the client's LAST
//     (n − idx) ROWS OF THE FILE, whatever their times. Evidently intended: the events at or after
//     start (events[events.timestamp >= start]); the two agree only where each client's rows are
//     in time order. Reproduced as published: rows numbered by file position within the client,
//     a row counted when its position ≥ idx.
//   - Values are float16 (EMBEDDINGS_DTYPE): counts rounded to float16 (exact to 2048; ≥ 65520
//     is inf there, which writeSubmission refuses); the query mean is numpy's float16 mean: sum in
//     float32, divided in float32, rounded to float16 (here: Math.fround(sum / n), then the
//     float16 rounding of writeSubmission, the same two roundings).
//   - Clients without events of a type get zeros in its block (_get_features). Their script
//     writes no row at all for a relevant client without any event; the submission needs every
//     relevant client, so here that row is all zeros.
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkApart } from '../io/atomic.js';
import { checkFile, lit, openDuck, rows, TIMESTAMP_FORMAT } from '../data/duck.js';
import { readRelevantClients } from '../data/inputs.js';
import type { EventType } from '../data/schema.js';
import { writeSubmission } from './export.js';

/** Their EVENT_TYPE_TO_COLUMNS (constants.py), in its order: the order of the blocks. */
export const EVENT_TYPE_TO_COLUMNS: [EventType, string[]][] = [
  ['product_buy', ['sku', 'category', 'price']],
  ['add_to_cart', ['sku', 'category', 'price']],
  ['remove_from_cart', ['sku', 'category', 'price']],
  ['page_visit', ['url']],
  ['search_query', []],
];

export interface AggregatedBaselineOptions {
  /** Challenge data folder (event files, product_properties.parquet, relevant_clients.npy). */
  data: string;
  /** Only events before this time, "YYYY-MM-DD HH:mm:ss" (their split's input chunk); all events when absent. */
  before?: string;
  /** Submission folder to write. */
  out: string;
  /** Their --num-days: window lengths in days (default 1 7 30). */
  numDays?: number[];
  /** Their --top-n: values counted per column (default 10). */
  topN?: number;
}

/**
 * numpy's argsort(kind='quicksort') as numpy 1.24 does it for int64 (npysort/quicksort.cpp
 * aquicksort_ and heapsort.cpp aheapsort_, no SIMD): median-of-three introsort, insertion sort
 * below 16 elements, heapsort past depth 2·floor(log2 n). Unstable: equal values come out in
 * the order this exact procedure leaves them, which is what pandas' top values depend on.
 */
export function numpyQuickArgsort(v: ArrayLike<number>): Int32Array {
  const num = v.length;
  const a = Int32Array.from({ length: num }, (_, i) => i);
  if (num < 2) return a;
  const swap = (i: number, j: number): void => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  const less = (i: number, j: number): boolean => v[a[i]!]! < v[a[j]!]!;
  const stack: number[] = [],
    depths: number[] = [];
  let pl = 0,
    pr = num - 1,
    cdepth = 2 * (31 - Math.clz32(num));
  for (;;) {
    if (cdepth < 0) heapArgsort(v, a, pl, pr - pl + 1);
    else {
      while (pr - pl > 15) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(pm, pl)) swap(pm, pl);
        if (less(pr, pm)) swap(pr, pm);
        if (less(pm, pl)) swap(pm, pl);
        const vp = v[a[pm]!]!;
        let pi = pl,
          pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (v[a[pi]!]! < vp);
          do --pj;
          while (vp < v[a[pj]!]!);
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        // the larger part goes on the stack
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = a[pi]!,
          vp = v[vi]!;
        let pj = pi;
        for (; pj > pl && vp < v[a[pj - 1]!]!; --pj) a[pj] = a[pj - 1]!;
        a[pj] = vi;
      }
    }
    if (stack.length === 0) return a;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depths.pop()!;
  }
}

/** numpy's aheapsort_ on a[start .. start+n). */
function heapArgsort(v: ArrayLike<number>, a: Int32Array, start: number, n: number): void {
  const at = (i: number): number => a[start + i - 1]!; // 1-based, as numpy's
  const put = (i: number, x: number): void => {
    a[start + i - 1] = x;
  };
  const sift = (tmp: number, i: number, size: number): void => {
    for (let j = i << 1; j <= size;) {
      if (j < size && v[at(j)]! < v[at(j + 1)]!) j += 1;
      if (!(v[tmp]! < v[at(j)]!)) break;
      put(i, at(j));
      i = j;
      j += j;
    }
    put(i, tmp);
  };
  for (let l = n >> 1; l > 0; --l) sift(at(l), l, n);
  for (; n > 1;) {
    const tmp = at(n);
    put(n, at(1));
    n -= 1;
    sift(tmp, 1, n);
  }
}

/**
 * Indices of the first `topN` of pandas 2.2's value_counts() order, given the counts of the
 * distinct values in order of first appearance (pandas' hashtable order): Series.sort_values(
 * ascending=False) is nargsort, which sorts the reversed counts with numpy's quicksort and
 * reverses the result.
 */
export function pandasTopValues(counts: ArrayLike<number>, topN: number): number[] {
  const n = counts.length;
  const reversed = Float64Array.from({ length: n }, (_, i) => counts[n - 1 - i]!);
  const perm = numpyQuickArgsort(reversed);
  const top: number[] = [];
  for (let j = 0; j < Math.min(topN, n); j++) top.push(n - 1 - perm[n - 1 - j]!);
  return top;
}

/** Streams a query's rows in chunks; `f` gets the chunk's columns (JS values). */
async function scan(conn: DuckDBConnection, sql: string, f: (cols: unknown[][], n: number) => void): Promise<void> {
  const result = await conn.stream(sql);
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) f(chunk.getColumns(), chunk.rowCount);
}

export async function aggregatedBaseline(o: AggregatedBaselineOptions): Promise<{ clients: number; dim: number }> {
  const numDays = o.numDays ?? [1, 7, 30],
    topN = o.topN ?? 10;
  if (!numDays.every((d) => Number.isInteger(d))) throw new RangeError(`aggregated baseline: --num-days must be whole days, got ${numDays.join(' ')}`);
  if (!Number.isInteger(topN) || topN < 0) throw new RangeError(`aggregated baseline: --top-n must be a whole number ≥ 0, got ${topN}`);
  checkApart(o.out, o.data);
  const relevant = readRelevantClients(o.data);
  const { conn, close } = await openDuck();
  try {
    // relevant client → its row of the result
    await conn.run('CREATE TABLE relevant (client_id BIGINT, i INTEGER)');
    const app = await conn.createAppender('relevant');
    relevant.forEach((c, i) => {
      app.appendBigInt(c);
      app.appendInteger(i);
      app.endRow();
    });
    app.closeSync();
    const propsFile = await checkFile(conn, o.data, 'product_properties');
    await conn.run(`CREATE TABLE props AS SELECT sku, category, price FROM read_parquet(${lit(propsFile)})`);
    const dup = await rows(conn, 'SELECT sku FROM props GROUP BY sku HAVING count(*) > 1 LIMIT 1');
    if (dup.length) throw new Error(`${propsFile}: sku ${dup[0]!.sku} appears more than once (their join validates m:1)`);
    const ts = `strptime(e.timestamp, '${TIMESTAMP_FORMAT}')`;
    const cut = o.before === undefined ? 'true' : `${ts} < strptime(${lit(o.before)}, '${TIMESTAMP_FORMAT}')`;

    // The events their calculator sees for a type, rn = row of the file (their row order).
    const files = new Map<EventType, string>();
    const events = (type: EventType, columns: string[]): string =>
      `SELECT e.file_row_number AS rn, e.client_id, epoch(${ts})::BIGINT AS ts, ${
        type === 'search_query' ? 'e.query' : columns.map((c) => (c === 'url' || c === 'sku' ? `e.${c}` : `p.${c}`)).join(', ')
      }
       FROM read_parquet(${lit(files.get(type)!)}, file_row_number = true) e ${columns.includes('category') ? 'LEFT JOIN props p ON p.sku = e.sku' : ''}
       WHERE e.client_id IN (SELECT client_id FROM relevant) AND ${cut}`;

    // First the block sizes (their features_size), so that each block is written into place.
    const sizes: number[] = [];
    for (const [type, columns] of EVENT_TYPE_TO_COLUMNS) {
      const file = await checkFile(conn, o.data, type);
      files.set(type, file);
      if (columns.includes('category')) {
        const orphan = await rows(conn, `SELECT e.sku FROM read_parquet(${lit(file)}) e WHERE ${cut} AND e.sku NOT IN (SELECT sku FROM props) LIMIT 1`);
        if (orphan.length) throw new Error(`${file}: sku ${orphan[0]!.sku} is not in ${propsFile} (their join asserts every sku has properties)`);
      }
      if (type === 'search_query') {
        // QueryFeaturesCalculator: the vector length is the first event's (df.iloc[0]).
        const first = await rows(conn, `SELECT query FROM (${events(type, columns)}) ORDER BY rn LIMIT 1`);
        if (!first.length)
          throw new Error(`${file}: no search_query events of relevant clients${o.before ? ` before ${o.before}` : ''} (their code fails too: df.iloc[0])`);
        sizes.push(String(first[0]!.query).match(/\d+/g)?.length ?? 0);
      } else {
        const distinct = (await rows(conn, `SELECT ${columns.map((c) => `count(DISTINCT ${c}) AS ${c}`).join(', ')} FROM (${events(type, columns)})`))[0]!;
        sizes.push(1 + numDays.length * columns.reduce((a, c) => a + Math.min(topN, Number(distinct[c])), 0));
      }
    }
    const dim = sizes.reduce((a, b) => a + b, 0);
    const x = new Float32Array(relevant.length * dim);

    let base = 0;
    for (const [b, [type, columns]] of EVENT_TYPE_TO_COLUMNS.entries()) {
      await conn.run(`CREATE OR REPLACE TABLE ev AS ${events(type, columns)}`);
      if (type === 'search_query') {
        const size = sizes[b]!;
        const sums = Array.from({ length: size }, (_, k) => `sum(q[${k + 1}])::DOUBLE`).join(', ');
        const sql = `SELECT r.i, count(*)::DOUBLE AS n, ${sums}
          FROM (SELECT client_id, list_transform(regexp_extract_all(query, '\\d+'), v -> v::INTEGER) AS q FROM ev)
          JOIN relevant r USING (client_id) GROUP BY r.i`;
        await scan(conn, sql, (cols, n) => {
          for (let t = 0; t < n; t++) {
            const at = (cols[0]![t] as number) * dim + base,
              count = cols[1]![t] as number;
            // numpy's float16 mean: float32 sum (exact: integers, below 2^24 for fewer than 65793
            // queries), float32 division (the fround of the double quotient), then float16 (writeSubmission).
            for (let k = 0; k < size; k++) x[at + k] = Math.fround((cols[2 + k]![t] as number) / count);
          }
        });
        base += size;
        continue;
      }
      // StatsFeaturesCalculator. Top values: value_counts() of each column over all the events.
      const tops: bigint[][] = [];
      for (const c of columns) {
        const keys: bigint[] = [],
          counts: number[] = [];
        await scan(conn, `SELECT ${c} AS v, count(*)::DOUBLE AS n FROM ev GROUP BY ${c} ORDER BY min(rn)`, (cols, n) => {
          for (let t = 0; t < n; t++) {
            keys.push(cols[0]![t] as bigint);
            counts.push(cols[1]![t] as number);
          }
        });
        tops.push(pandasTopValues(counts, topN).map((k) => keys[k]!));
      }
      const width = tops.reduce((a, t) => a + t.length, 0);
      if (1 + width * numDays.length !== sizes[b])
        throw new Error(`aggregated baseline: ${type} block has ${1 + width * numDays.length} columns, expected ${sizes[b]}`);
      // features[0]: all the client's events of the type
      await scan(conn, 'SELECT r.i, count(*)::DOUBLE AS n FROM ev JOIN relevant r USING (client_id) GROUP BY r.i', (cols, n) => {
        for (let t = 0; t < n; t++) x[(cols[0]![t] as number) * dim + base] = cols[1]![t] as number;
      });
      const maxTs = (await rows(conn, 'SELECT max(ts) AS m FROM ev'))[0]!.m as bigint | null; // their max_date
      if (maxTs !== null && width > 0 && numDays.length > 0) {
        // idx_k: the client's events before window k's start (searchsorted in the sorted
        // timestamps); pos: the row's place among the client's rows in file order. The quirk:
        // a row counts in window k when pos >= idx_k (intended: ts >= start).
        const idx = numDays.map((d, k) => `count(*) FILTER (WHERE ts < ${maxTs - BigInt(d) * 86400n}) OVER (PARTITION BY client_id) AS idx${k}`);
        await conn.run(`CREATE OR REPLACE TABLE win AS SELECT *, row_number() OVER (PARTITION BY client_id ORDER BY rn) - 1 AS pos, ${idx.join(', ')} FROM ev`);
        const counts = numDays.map((_, k) => `count(*) FILTER (WHERE pos >= idx${k})::DOUBLE`).join(', ');
        let offset = base + 1;
        for (const [ci, c] of columns.entries()) {
          const top = tops[ci]!;
          if (top.length) {
            const slots = top.map((v, s) => `(${v}, ${s})`).join(', ');
            const at0 = offset;
            const sql = `SELECT r.i, s.slot, ${counts}
              FROM win JOIN (VALUES ${slots}) s(v, slot) ON win.${c} = s.v JOIN relevant r USING (client_id) GROUP BY r.i, s.slot`;
            await scan(conn, sql, (cols, n) => {
              for (let t = 0; t < n; t++) {
                const at = (cols[0]![t] as number) * dim + at0 + (cols[1]![t] as number);
                for (let k = 0; k < numDays.length; k++) x[at + k * width] = cols[2 + k]![t] as number;
              }
            });
          }
          offset += top.length;
        }
      }
      base += sizes[b]!;
    }
    writeSubmission(o.out, relevant, x, dim, relevant);
    return { clients: relevant.length, dim };
  } finally {
    close();
  }
}
