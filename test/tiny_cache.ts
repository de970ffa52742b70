// A hand-written three-client event cache for tests that check per-client features by hand.
// Tokens are 5 + value (3 = missing). Client 10: a visit (day 0, url 7), then an add and a
// buy of sku 6 (category 8, price 40) on days 15 and 35; client 11: one search on day 40;
// client 12: no events. Days are stored as 5 + day, weeks as 5 + week; the search's 16 query
// codes are 1 … 16.
import { writeColumns } from '../ts/io/columnar.js';
import { EventCache } from '../ts/data/ingest.js';

export function tinyCache(path: string): EventCache {
  writeColumns(
    path,
    { kind: 'seqcore-events', version: 1 },
    {
      clients: BigInt64Array.from([10n, 11n, 12n]),
      offsets: Int32Array.from([0, 3, 4, 4]),
      event: Int32Array.from([8, 6, 5, 9]),
      sku: Int32Array.from([3, 6, 6, 3]),
      category: Int32Array.from([3, 8, 8, 3]),
      price: Int32Array.from([3, 45, 45, 3]),
      url: Int32Array.from([7, 3, 3, 3]),
      day: Int16Array.from([5, 20, 40, 45]),
      week: Uint8Array.from([5, 7, 10, 10]),
      query: Int32Array.from([-1, -1, -1, 0]),
      queryCodes: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
    },
  );
  return new EventCache(path);
}
