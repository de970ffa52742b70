// Targets of the challenge's open and hidden tasks, built the way the organisers' split does
// (data_utils/split_data.py): end = the last purchase; the training target window is the 14
// days (from midnight) that end 14 days before `end`, the validation window the 14 days after
// it, up to and including `end`; the model input is every event before the training window.
//   churn       1 if an active client (≥ 1 purchase in the input) buys nothing in the window
//   conversion  the same over every relevant client
//   category, sku  multi-hot of what the client buys in the window over the propensity
//               targets: the organisers' lists when the folder has them (DIR/target/
//               propensity_{category,sku}.npy, as they ship them), else, by their README's
//               definition, the 100 categories / skus most often purchased in the training
//               target window (ties: the smaller id first)
//   new sku     the sku targets, counted only where the client had no event with that sku
//               in the input: discovering products new to the client (the organisers have
//               not published their definition of this hidden task)
//   price       multi-hot over the 100 price buckets
// Popularity of each propensity target (novelty's weights): the organisers' file when shipped,
// else its purchases in the training target window over all purchases there.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkApart, writeDirAtomic } from '../io/atomic.js';
import { checkEventFile, checkFile, lit, openDuck, rows, TIMESTAMP_FORMAT } from './duck.js';
import { readIds, readRelevantClients } from './inputs.js';
import { readNpy, toFloat16Bits, writeNpy } from '../io/npy.js';

export interface TargetOptions {
  dir: string;
  /** Output directory (replaced as a whole: ts/io/atomic.ts). */
  out: string;
  days?: number;
  top?: number;
}

export interface TargetSummary {
  end: string;
  inputCut: string;
  validationStart: string;
  relevant: number;
  active: number;
}

const fmt = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

export async function buildTargets(o: TargetOptions): Promise<TargetSummary> {
  checkApart(o.out, o.dir);
  const { conn, close } = await openDuck();
  try {
    return await writeDirAtomic(o.out, (tmp) => writeTargets(conn, o, tmp));
  } finally {
    close();
  }
}

/** The targets of the data in o.dir, written into the empty folder `tmp`. */
async function writeTargets(conn: DuckDBConnection, o: TargetOptions, tmp: string): Promise<TargetSummary> {
  const days = o.days ?? 14,
    top = o.top ?? 100;
  const buyFile = await checkFile(conn, o.dir, 'product_buy');
  const propsFile = await checkFile(conn, o.dir, 'product_properties');
  const relevant = readRelevantClients(o.dir);

  await conn.run(`CREATE TEMP TABLE buys AS SELECT b.client_id, strptime(b.timestamp, '${TIMESTAMP_FORMAT}') AS ts, b.sku, p.category, p.price
    FROM read_parquet(${lit(buyFile)}) b LEFT JOIN read_parquet(${lit(propsFile)}) p USING (sku)`);
  // Every event that names a sku (purchases, cart adds and removes), for the new-sku task.
  const touched = [buyFile];
  for (const t of ['add_to_cart', 'remove_from_cart'] as const) {
    const f = await checkEventFile(conn, o.dir, t, () => {});
    if (f) touched.push(f);
  }
  const part = (f: string): string => `SELECT client_id, strptime(timestamp, '${TIMESTAMP_FORMAT}') AS ts, sku FROM read_parquet(${lit(f)})`;
  await conn.run(`CREATE TEMP TABLE touched AS ${touched.map(part).join(' UNION ALL ')}`);
  const end = new Date(`${String((await rows(conn, 'SELECT max(ts) AS t FROM buys'))[0]!.t).replace(' ', 'T')}Z`);
  const trainStart = new Date(end.getTime() - (2 * days - 1) * 86400e3);
  trainStart.setUTCHours(0, 0, 0, 0);
  const validStart = new Date(trainStart.getTime() + days * 86400e3);
  const at = (d: Date): string => `strptime(${lit(fmt(d))}, '${TIMESTAMP_FORMAT}')`;

  // Targets and popularity: shipped by the organisers (DIR/target/), else from the training target window.
  const shipped = (name: string): string | null => (existsSync(join(o.dir, 'target', name)) ? join(o.dir, 'target', name) : null);
  const ranked = async (col: 'category' | 'sku'): Promise<{ ids: bigint[]; popularity: number[] }> => {
    const ids = shipped(`propensity_${col}.npy`),
      pop = shipped(`popularity_propensity_${col}.npy`);
    if (!ids !== !pop)
      throw new Error(`${join(o.dir, 'target')}: has ${ids ?? pop} but not ${ids ? `popularity_propensity_${col}.npy` : `propensity_${col}.npy`}`);
    if (ids && pop) {
      const list = readIds(ids),
        p = readNpy(pop);
      if (p.shape.length !== 1 || p.shape[0] !== list.length)
        throw new Error(`${pop}: expected ${list.length} popularities (one per target of ${ids}), got [${p.shape.join(', ')}]`);
      return { ids: [...list], popularity: Array.from(p.data as ArrayLike<number>, Number) };
    }
    const r = await rows(
      conn,
      `SELECT ${col} AS v, count(*) AS n FROM buys WHERE ts >= ${at(trainStart)} AND ts < ${at(validStart)} AND ${col} IS NOT NULL
      GROUP BY ${col} ORDER BY n DESC, ${col} LIMIT ${top}`,
    );
    return { ids: r.map((x) => BigInt(x.v as bigint)), popularity: r.map((x) => Number(x.n) / Math.max(trainBuys, 1)) };
  };
  const trainBuys = Number((await rows(conn, `SELECT count(*) AS n FROM buys WHERE ts >= ${at(trainStart)} AND ts < ${at(validStart)}`))[0]!.n);
  const category = await ranked('category'),
    sku = await ranked('sku');
  const priceCounts = await rows(
    conn,
    `SELECT price AS v, count(*) AS n FROM buys WHERE ts >= ${at(trainStart)} AND ts < ${at(validStart)} AND price IS NOT NULL GROUP BY price`,
  );
  const prices = Array.from({ length: 100 }, (_, i) => BigInt(i));
  const targets = {
    category,
    sku,
    new_sku: sku,
    price: { ids: prices, popularity: prices.map((p) => Number(priceCounts.find((r) => BigInt(r.v as bigint) === p)?.n ?? 0) / Math.max(trainBuys, 1)) },
  };

  const index = new Map<bigint, number>();
  relevant.forEach((c, i) => index.set(c, i));
  const shippedActive = shipped('active_clients.npy');
  const active = new Set((await rows(conn, `SELECT DISTINCT client_id AS c FROM buys WHERE ts < ${at(trainStart)}`)).map((r) => BigInt(r.c as bigint)));
  const activeClients = shippedActive ? readIds(shippedActive) : BigInt64Array.from([...relevant].filter((c) => active.has(c)));
  // (client, sku) pairs of the input, for the new-sku task: any event type that names a sku
  const seen = new Set(
    (await rows(conn, `SELECT DISTINCT client_id AS c, sku FROM touched WHERE ts < ${at(trainStart)}`)).map((r) => `${String(r.c)}:${String(r.sku)}`),
  );

  writeNpy(join(tmp, 'active_clients.npy'), { dtype: 'int64', shape: [activeClients.length], data: activeClients });
  for (const [name, t] of Object.entries(targets)) {
    writeNpy(join(tmp, `propensity_${name}.npy`), { dtype: 'int64', shape: [t.ids.length], data: BigInt64Array.from(t.ids) });
    writeNpy(join(tmp, `popularity_propensity_${name}.npy`), { dtype: 'float32', shape: [t.ids.length], data: Float32Array.from(t.popularity) });
  }
  for (const [split, from, to] of [
    ['train_target', trainStart, validStart],
    ['validation_target', validStart, new Date(end.getTime() + 1000)],
  ] as const) {
    const window = await rows(conn, `SELECT client_id AS c, sku, category, price FROM buys WHERE ts >= ${at(from)} AND ts < ${at(to)}`);
    const N = relevant.length;
    const buyers = new Set<bigint>();
    // One column per propensity target (fewer than `top` when the window has fewer).
    const width = { category: targets.category.ids.length, sku: targets.sku.ids.length, new_sku: targets.sku.ids.length, price: 100 };
    const hot = {
      category: new Float32Array(N * width.category),
      sku: new Float32Array(N * width.sku),
      new_sku: new Float32Array(N * width.sku),
      price: new Float32Array(N * 100),
    };
    const col = Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, new Map(t.ids.map((id, j) => [id, j]))])) as Record<
      keyof typeof hot,
      Map<bigint, number>
    >;
    for (const r of window) {
      const c = BigInt(r.c as bigint);
      buyers.add(c);
      const i = index.get(c);
      if (i === undefined) continue;
      for (const k of ['category', 'sku', 'price'] as const) {
        const v = r[k];
        const j = v === null || v === undefined ? undefined : col[k].get(BigInt(v as bigint));
        if (j !== undefined) hot[k][i * width[k] + j] = 1;
        if (k === 'sku' && j !== undefined && !seen.has(`${String(c)}:${String(v)}`)) hot.new_sku[i * width.sku + j] = 1;
      }
    }
    mkdirSync(join(tmp, split));
    const churn = Float32Array.from(activeClients, (c) => (buyers.has(c) ? 0 : 1));
    const conversion = Float32Array.from(relevant, (c) => (buyers.has(c) ? 0 : 1));
    writeNpy(join(tmp, split, 'churn.npy'), { dtype: 'float32', shape: [churn.length], data: churn });
    writeNpy(join(tmp, split, 'conversion.npy'), { dtype: 'float32', shape: [conversion.length], data: conversion });
    for (const k of ['category', 'sku', 'new_sku', 'price'] as const)
      writeNpy(join(tmp, split, `${k}.npy`), { dtype: 'float16', shape: [N, width[k]], data: toFloat16Bits(hot[k]) });
  }
  return { end: fmt(end), inputCut: fmt(trainStart), validationStart: fmt(validStart), relevant: relevant.length, active: activeClients.length };
}
