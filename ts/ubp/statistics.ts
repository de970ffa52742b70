// Hand-made statistics per client, an ensemble member (the published ensemble's ~37): counts
// per event type and in total; recent activity (events in the last 7 and 30 days, buys and
// cart adds in the last 30); active days, weeks and months (30-day periods) and events per
// active day; days since the first and the last event and since the last event of each type
// (never: one day more than the data spans); span and mean gap; distinct categories, skus and
// urls; popularity of what the client touches (mean log of the item's count over the cache);
// price (mean, min, max over sku events, mean over buys); conversion ratios and shares.
// Day offsets count back from the cache's last day. Clients without events are all zeros.
import { EventCache, TOKEN } from '../data/ingest.js';

const TYPES = ['buy', 'add', 'remove', 'visit', 'search'] as const;

export const STATISTICS = [
  'buys',
  'adds',
  'removes',
  'visits',
  'searches',
  'events',
  'events_7d',
  'events_30d',
  'buys_30d',
  'adds_30d',
  'active_days',
  'active_weeks',
  'active_months',
  'events_per_active_day',
  'days_since_first',
  'days_since_last',
  ...TYPES.map((t) => `days_since_${t}`),
  'span_days',
  'mean_gap_days',
  'categories',
  'skus',
  'urls',
  'sku_popularity',
  'category_popularity',
  'url_popularity',
  'price_mean',
  'price_min',
  'price_max',
  'buy_price_mean',
  'buys_per_add',
  'removes_per_add',
  'buys_per_visit',
  'search_share',
  'visit_share',
] as const;

/** log(1 + count) of each id of one field over the whole cache (ids < TOKEN.first: 0). */
function logPopularity(ids: ArrayLike<number>): Float32Array {
  let max = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i]! > max) max = ids[i]!;
  const count = new Float32Array(max + 1);
  for (let i = 0; i < ids.length; i++) count[ids[i]!]!++;
  return count.map((c, id) => (id >= TOKEN.first ? Math.log1p(c) : 0));
}

/** rows: cache client indices → statistics (rows × STATISTICS.length); -1 rows give zeros. */
export function clientStatistics(cache: EventCache, rows: Int32Array, onRows?: (done: number) => void): Float32Array {
  const ev = cache.field('event'),
    day = cache.field('day'),
    week = cache.field('week');
  const cat = cache.field('category'),
    sku = cache.field('sku'),
    url = cache.field('url'),
    price = cache.field('price');
  const pop = { sku: logPopularity(sku), cat: logPopularity(cat), url: logPopularity(url) };
  let lastDay = 0,
    firstDay = Infinity;
  for (const d of day) {
    if (d > lastDay) lastDay = d;
    if (d < firstDay) firstDay = d;
  }
  const never = lastDay - firstDay + 1;
  const D = STATISTICS.length,
    out = new Float32Array(rows.length * D);
  rows.forEach((c, r) => {
    if (r % 4096 === 0) onRows?.(r);
    if (c < 0 || cache.length(c) === 0) return;
    const s = cache.offsets[c]!,
      e = cache.offsets[c + 1]!,
      n = e - s;
    const count = [0, 0, 0, 0, 0],
      lastOf = [-1, -1, -1, -1, -1];
    const days = new Set<number>(),
      weeks = new Set<number>(),
      months = new Set<number>();
    const cats = new Set<number>(),
      skus = new Set<number>(),
      urls = new Set<number>();
    let recent7 = 0,
      recent30 = 0,
      buys30 = 0,
      adds30 = 0;
    const popSum = [0, 0, 0],
      popN = [0, 0, 0];
    let pSum = 0,
      pN = 0,
      pMin = Infinity,
      pMax = 0,
      buyPSum = 0,
      buyPN = 0;
    const touch = (id: number, set: Set<number>, k: number, p: Float32Array): void => {
      if (id <= TOKEN.missing) return;
      set.add(id);
      popSum[k]! += p[id]!;
      popN[k]!++;
    };
    for (let i = s; i < e; i++) {
      const type = ev[i]! - TOKEN.first,
        d = day[i]!;
      count[type]!++;
      lastOf[type] = d;
      days.add(d);
      weeks.add(week[i]!);
      months.add(Math.floor((d - firstDay) / 30));
      if (d > lastDay - 7) recent7++;
      if (d > lastDay - 30) {
        recent30++;
        if (type === 0) buys30++;
        if (type === 1) adds30++;
      }
      touch(sku[i]!, skus, 0, pop.sku);
      touch(cat[i]!, cats, 1, pop.cat);
      touch(url[i]!, urls, 2, pop.url);
      if (price[i]! >= TOKEN.first) {
        const p = price[i]! - TOKEN.first;
        pSum += p;
        pN++;
        if (p < pMin) pMin = p;
        if (p > pMax) pMax = p;
        if (type === 0) {
          buyPSum += p;
          buyPN++;
        }
      }
    }
    const [buys, adds, removes, visits, searches] = count as [number, number, number, number, number];
    const first = day[s]!,
      last = day[e - 1]!;
    const mean = (sum: number, k: number): number => (k ? sum / k : 0);
    out.set(
      [
        buys,
        adds,
        removes,
        visits,
        searches,
        n,
        recent7,
        recent30,
        buys30,
        adds30,
        days.size,
        weeks.size,
        months.size,
        n / days.size,
        lastDay - first,
        lastDay - last,
        ...lastOf.map((d) => (d < 0 ? never : lastDay - d)),
        last - first,
        n > 1 ? (last - first) / (n - 1) : 0,
        cats.size,
        skus.size,
        urls.size,
        mean(popSum[0]!, popN[0]!),
        mean(popSum[1]!, popN[1]!),
        mean(popSum[2]!, popN[2]!),
        mean(pSum, pN),
        pN ? pMin : 0,
        pMax,
        mean(buyPSum, buyPN),
        buys / (adds + 1),
        removes / (adds + 1),
        buys / (visits + 1),
        searches / n,
        visits / n,
      ],
      r * D,
    );
  });
  return out;
}
