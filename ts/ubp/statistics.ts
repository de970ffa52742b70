// Hand-made statistics per client, an ensemble member: counts per event type and in total,
// the last 7 and 30 days, active days and weeks, first/last day and span, the mean gap
// between events, distinct categories, skus and urls, mean and maximum price of the sku
// events, and conversion ratios (buys per add, removes per add, buys per visit), search
// and visit shares. Computed from an event cache; clients without events are all zeros.
import { EventCache, TOKEN } from '../data/ingest.js';

export const STATISTICS = [
  'buys', 'adds', 'removes', 'visits', 'searches', 'events', 'events_7d', 'events_30d', 'active_days', 'active_weeks',
  'first_day', 'last_day', 'span_days', 'mean_gap_days', 'categories', 'skus', 'urls', 'price_mean', 'price_max',
  'buys_per_add', 'removes_per_add', 'buys_per_visit', 'search_share', 'visit_share',
] as const;

/** rows: cache client indices → statistics (rows × STATISTICS.length); -1 rows give zeros. */
export function clientStatistics(cache: EventCache, rows: Int32Array): Float32Array {
  const ev = cache.field('event'), day = cache.field('day'), week = cache.field('week');
  const cat = cache.field('category'), sku = cache.field('sku'), url = cache.field('url'), price = cache.field('price');
  let lastDay = 0;
  for (const d of day) if (d > lastDay) lastDay = d;
  const D = STATISTICS.length, out = new Float32Array(rows.length * D);
  rows.forEach((c, r) => {
    if (c < 0 || cache.length(c) === 0) return;
    const s = cache.offsets[c]!, e = cache.offsets[c + 1]!, n = e - s;
    const count = [0, 0, 0, 0, 0];
    const days = new Set<number>(), weeks = new Set<number>(), cats = new Set<number>(), skus = new Set<number>(), urls = new Set<number>();
    let recent7 = 0, recent30 = 0, pSum = 0, pN = 0, pMax = 0;
    for (let i = s; i < e; i++) {
      count[ev[i]! - TOKEN.first]!++;
      days.add(day[i]!);
      weeks.add(week[i]!);
      if (day[i]! > lastDay - 7) recent7++;
      if (day[i]! > lastDay - 30) recent30++;
      if (cat[i]! > TOKEN.missing) cats.add(cat[i]!);
      if (sku[i]! > TOKEN.missing) skus.add(sku[i]!);
      if (url[i]! > TOKEN.missing) urls.add(url[i]!);
      if (price[i]! >= TOKEN.first) { const p = price[i]! - TOKEN.first; pSum += p; pN++; if (p > pMax) pMax = p; }
    }
    const [buys, adds, removes, visits, searches] = count as [number, number, number, number, number];
    const first = day[s]!, last = day[e - 1]!;
    out.set([buys, adds, removes, visits, searches, n, recent7, recent30, days.size, weeks.size,
      lastDay - first, lastDay - last, last - first, n > 1 ? (last - first) / (n - 1) : 0, cats.size, skus.size, urls.size,
      pN ? pSum / pN : 0, pMax, buys / (adds + 1), removes / (adds + 1), buys / (visits + 1), searches / n, visits / n], r * D);
  });
  return out;
}
