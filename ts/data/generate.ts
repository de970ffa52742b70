// A generator of challenge-schema data with planted, learnable structure. Each client has
// an activity level, a buyer propensity and three favourite categories; the same latent
// drives their history and their behaviour in the last weeks, so churn (no purchase in the
// target window) and category/sku propensity can be predicted from the past, but not
// trivially. Statistics follow the real data: events per client median 2, p90 ≈ 18,
// p99 ≈ 110 (log-normal, σ 1.72); visits ≫ searches > adds > removes ≈ buys; Zipf
// popularity of skus, urls and categories; six months of time. The relevant clients (those
// that get a profile) are, as in the challenge (1M of 19M clients), a selection of engaged
// clients rather than everyone: those with at least one cart or purchase event. A random
// share of everyone, most of whom have two page visits, leaves a 14-day target window with
// about two purchases per sku target at 100k relevant clients: too few for AUROC to measure
// anything but noise.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../io/atomic.js';
import { lit, openDuck } from './duck.js';
import { onFile } from '../io/files.js';
import { Rng } from '../rng.js';
import { writeNpy } from '../io/npy.js';
import { progressBar } from '../train/progress.js';
import { EVENT_TYPES, formatCodes, formatTimestamp, SCHEMA, type EventType } from './schema.js';

export interface GenerateOptions {
  clients: number;
  out: string;
  seed?: number;
  /** First day, UTC. */
  start?: string;
  days?: number;
  log?: (line: string) => void;
}

export interface GenerateStats {
  events: Record<EventType, number>;
  skus: number;
  categories: number;
  urls: number;
  relevantClients: number;
}

/** Samples ranks 0..n-1 with probability ∝ 1/(rank+1)^s. */
class Zipf {
  private readonly cdf: Float64Array;
  constructor(
    readonly n: number,
    s: number,
  ) {
    this.cdf = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) this.cdf[i] = acc += 1 / (i + 1) ** s;
    for (let i = 0; i < n; i++) this.cdf[i]! /= acc;
  }
  sample(rng: Rng): number {
    const u = rng.uniform();
    let lo = 0,
      hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Buffered CSV writer for one temporary file (errors name it: a full disk shows up here). */
class CsvSink {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  count = 0;
  constructor(readonly path: string) {
    this.fd = onFile(path, () => openSync(path, 'w'));
  }
  row(line: string): void {
    this.buf.push(line);
    this.count++;
    if (++this.size >= 65536) this.flush();
  }
  flush(): void {
    if (this.buf.length) onFile(this.path, () => writeSync(this.fd, `${this.buf.join('\n')}\n`));
    this.buf = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    onFile(this.path, () => closeSync(this.fd));
  }
}

// Event type mix of the real data (156M visits, 10M searches, 5.7M adds, 1.9M removes, 1.8M buys).
const MIX: [EventType, number][] = [
  ['page_visit', 0.89],
  ['search_query', 0.057],
  ['add_to_cart', 0.033],
  ['remove_from_cart', 0.011],
  ['product_buy', 0.009],
];

export async function generate(o: GenerateOptions): Promise<GenerateStats> {
  if (!Number.isInteger(o.clients) || o.clients < 1) throw new RangeError(`generate: clients must be a positive integer, got ${o.clients}`);
  const rng = new Rng(o.seed ?? 1);
  const days = o.days ?? 183;
  const t0 = Date.parse(`${o.start ?? '2022-05-01'}T00:00:00Z`);
  const span = days * 86400e3;
  const log = o.log ?? (() => {});

  // Catalogue, scaled to the number of clients (the real data: 19M clients, 1.26M skus,
  // 6.8K categories, 12.7M urls).
  const nSku = Math.min(1_260_000, Math.max(500, Math.round(o.clients * 0.066)));
  const nCat = Math.min(6800, Math.max(20, Math.round(nSku / 185)));
  const nUrl = Math.min(12_700_000, Math.max(1000, Math.round(o.clients * 0.67)));
  const skuPop = new Zipf(nSku, 1.05),
    catPop = new Zipf(nCat, 1.1),
    urlPop = new Zipf(nUrl, 1.1);
  // Tastes are spread wider than the catalogue (flatter than catPop), so knowing a client's
  // favourites says more than knowing what is popular.
  const tastePop = new Zipf(nCat, 0.5);
  const skuCat = new Int32Array(nSku),
    skuPrice = new Int32Array(nSku);
  const catPrice = Int32Array.from({ length: nCat }, () => rng.int(90));
  const catCodes = Array.from({ length: nCat }, () => Uint8Array.from({ length: 16 }, () => rng.int(256)));
  const skusOfCat: number[][] = Array.from({ length: nCat }, () => []);
  for (let s = 0; s < nSku; s++) {
    const c = catPop.sample(rng);
    skuCat[s] = c;
    skuPrice[s] = Math.min(99, catPrice[c]! + rng.int(10));
    skusOfCat[c]!.push(s); // in sku order, so popular skus come first within a category
  }
  const near = (codes: Uint8Array): string => formatCodes(Array.from(codes, (v) => (rng.uniform() < 0.8 ? v : rng.int(256))));

  // Everything is written into a temporary folder that then replaces o.out whole
  // (ts/io/atomic.ts): a kill leaves the old data, never old files beside new ones.
  return writeDirAtomic(o.out, async (dir) => {
    const sinks = Object.fromEntries(EVENT_TYPES.map((t) => [t, new CsvSink(join(dir, `${t}.csv`))])) as Record<EventType, CsvSink>;
    const props = new CsvSink(join(dir, 'product_properties.csv'));
    for (let s = 0; s < nSku; s++) props.row(`${s},${skuCat[s]},${skuPrice[s]},"${near(catCodes[skuCat[s]!]!)}"`);
    props.close();

    const relevant: bigint[] = [];
    const bar = progressBar('generate: clients', o.clients);
    for (let c = 0; c < o.clients; c++) {
      // Latent: favourite categories, how much of their shopping goes there, how active and
      // how much of a buyer they are, and when they are active.
      const fav = [tastePop.sample(rng), tastePop.sample(rng), tastePop.sample(rng)];
      const loyalty = 0.5 + 0.45 * rng.uniform();
      const buyer = Math.exp(0.9 * rng.normal());
      const n = Math.max(1, Math.min(5000, Math.round(2 * Math.exp(1.72 * rng.normal()))));
      const first = t0 + rng.uniform() * span * 0.9;
      const life = Math.min(t0 + span - 1000, first + span * Math.min(1, 0.05 + (0.6 * rng.uniform() * Math.log1p(n)) / 3));
      const pickSku = (): number => {
        if (rng.uniform() < loyalty) {
          const list = skusOfCat[fav[rng.int(3)]!]!;
          if (list.length) return list[Math.min(list.length - 1, Math.floor(list.length * rng.uniform() ** 3))]!;
        }
        return skuPop.sample(rng);
      };
      const added: number[] = [];
      let engaged = false;
      // Buyers add, remove and buy more; browsing is the same for everyone.
      const mixTotal = MIX.reduce((a, [t, p]) => a + (t === 'page_visit' || t === 'search_query' ? p : p * buyer), 0);
      for (let e = 0; e < n; e++) {
        const ts = formatTimestamp(first + rng.uniform() * (life - first));
        let u = rng.uniform() * mixTotal,
          type: EventType = 'page_visit';
        for (const [t, p] of MIX) {
          if ((u -= t === 'page_visit' || t === 'search_query' ? p : p * buyer) < 0) {
            type = t;
            break;
          }
        }
        if (type !== 'page_visit' && type !== 'search_query') engaged = true;
        switch (type) {
          case 'page_visit':
            sinks[type].row(`${c},${ts},${rng.uniform() < 0.3 ? (fav[0]! * 7919 + rng.int(5)) % nUrl : urlPop.sample(rng)}`);
            break;
          case 'search_query':
            sinks[type].row(`${c},${ts},"${near(catCodes[fav[rng.int(3)]!]!)}"`);
            break;
          case 'remove_from_cart':
            sinks[type].row(`${c},${ts},${added.length ? added[rng.int(added.length)] : pickSku()}`);
            break;
          default: {
            const s = pickSku();
            if (type === 'add_to_cart') added.push(s);
            sinks[type].row(`${c},${ts},${s}`);
          }
        }
      }
      if (engaged) relevant.push(BigInt(c));
      if ((c + 1) % 200_000 === 0) log(`generate: ${c + 1}/${o.clients} clients`);
      if ((c + 1) % 1000 === 0) bar?.update(c + 1, '');
    }
    bar?.end();
    for (const s of Object.values(sinks)) s.close();

    // CSV → Parquet with exactly the challenge's columns and types; the CSVs are scratch.
    const { conn, close } = await openDuck();
    for (const name of [...EVENT_TYPES, 'product_properties'] as const) {
      const cols = Object.entries(SCHEMA[name])
        .map(([k, t]) => `'${k}': '${t}'`)
        .join(', ');
      await conn.run(
        `COPY (SELECT * FROM read_csv(${lit(join(dir, `${name}.csv`))}, header = false, auto_detect = false, delim = ',', columns = {${cols}}, quote = '"')) ` +
          `TO ${lit(join(dir, `${name}.parquet`))} (FORMAT PARQUET)`,
      );
      rmSync(join(dir, `${name}.csv`));
    }
    close();
    writeNpy(join(dir, 'relevant_clients.npy'), { dtype: 'int64', shape: [relevant.length], data: BigInt64Array.from(relevant) });
    return {
      events: Object.fromEntries(EVENT_TYPES.map((t) => [t, sinks[t].count])) as Record<EventType, number>,
      skus: nSku,
      categories: nCat,
      urls: nUrl,
      relevantClients: relevant.length,
    };
  });
}
