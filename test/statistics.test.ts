import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientStatistics, STATISTICS } from '../ts/ubp/statistics.js';
import { tinyCache } from './tiny_cache.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('client statistics', () => {
  it('match a hand-computed case (test/tiny_cache.ts)', () => {
    const cache = tinyCache(join(dir, 'events.seq')),
      D = STATISTICS.length;
    const s = clientStatistics(cache, Int32Array.from([0, 1, 2, -1]));
    const row = (r: number): Record<string, number> => Object.fromEntries(STATISTICS.map((n, j) => [n, s[r * D + j]!]));
    const l2 = Math.log(2),
      l3 = Math.log(3);
    const expected10 = {
      buys: 1,
      adds: 1,
      removes: 0,
      visits: 1,
      searches: 0,
      events: 3,
      events_7d: 1,
      events_30d: 2,
      buys_30d: 1,
      adds_30d: 1,
      active_days: 3,
      active_weeks: 3,
      active_months: 2,
      events_per_active_day: 1,
      days_since_first: 40,
      days_since_last: 5,
      days_since_buy: 5,
      days_since_add: 25,
      days_since_remove: 41,
      days_since_visit: 40,
      days_since_search: 41,
      span_days: 35,
      mean_gap_days: 17.5,
      categories: 1,
      skus: 1,
      urls: 1,
      sku_popularity: l3,
      category_popularity: l3,
      url_popularity: l2,
      price_mean: 40,
      price_min: 40,
      price_max: 40,
      buy_price_mean: 40,
      buys_per_add: 0.5,
      removes_per_add: 0,
      buys_per_visit: 0.5,
      search_share: 0,
      visit_share: 1 / 3,
    };
    const expected11 = {
      ...Object.fromEntries(STATISTICS.map((n) => [n, 0])),
      searches: 1,
      events: 1,
      events_7d: 1,
      events_30d: 1,
      active_days: 1,
      active_weeks: 1,
      active_months: 1,
      events_per_active_day: 1,
      days_since_buy: 41,
      days_since_add: 41,
      days_since_remove: 41,
      days_since_visit: 41,
      search_share: 1,
    };
    expect(Object.keys(expected10).sort()).toEqual([...STATISTICS].sort());
    for (const [r, want] of [
      [0, expected10],
      [1, expected11],
    ] as const)
      for (const [k, v] of Object.entries(want)) expect(row(r)[k], `row ${r} ${k}`).toBeCloseTo(v, 5);
    expect(Array.from(s.subarray(2 * D))).toEqual(new Array(2 * D).fill(0)); // no events, not in the cache
  });
});
