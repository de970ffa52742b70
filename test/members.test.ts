// The next-item transformer and text members of System 1's ensemble: their inputs by hand on
// the tiny cache, and each member written for every relevant client (zero rows for clients
// without the events it reads).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../ts/data/generate.js';
import { EventCache, ingest } from '../ts/data/ingest.js';
import { readNpy, fromFloat16Bits } from '../ts/io/npy.js';
import { itemSequences, nextItemMember } from '../ts/ubp/next_item.js';
import { historyWords, textMember } from '../ts/ubp/text_member.js';
import { tinyCache } from './tiny_cache.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-members-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A submission's rows (float16 → float32) and its width. */
function member(out: string): { rows: Float32Array[]; dim: number } {
  const e = readNpy(join(out, 'embeddings.npy'));
  const v = fromFloat16Bits(e.data as Uint16Array),
    dim = e.shape[1]!;
  return { rows: Array.from({ length: e.shape[0]! }, (_, i) => v.subarray(i * dim, (i + 1) * dim)), dim };
}
const isZero = (r: Float32Array): boolean => r.every((x) => x === 0);

describe('inputs of the members, by hand on the tiny cache', () => {
  const cache = (): EventCache => tinyCache(join(dir, 'tiny.seq'));
  it('item sequences: out of vocabulary is item 1, the vocabulary after it, missing left out', () => {
    // sku tokens 3 (missing), 6, 6 | 3 | -: shifted by 3
    expect(itemSequences(cache(), 'sku')).toEqual({ sequences: [Int32Array.from([3, 3]), new Int32Array(0), new Int32Array(0)], items: 4 });
    expect(itemSequences(cache(), 'url').sequences.map((s) => Array.from(s))).toEqual([[4], [], []]);
  });

  it('rendered histories: type, recency, category, price decile, url, query codes', () => {
    const words = historyWords(cache());
    // client 10: a visit 35 days before its last event, an add 20 days before, a buy that day
    expect(words(0)).toEqual([
      'visit',
      'visit_older',
      'url2',
      'add',
      'add_month',
      'cat3',
      'add_cat3',
      'price4',
      'buy',
      'buy_today',
      'cat3',
      'buy_cat3',
      'price4',
    ]);
    expect(words(1)).toEqual(['search', 'search_today', ...Array.from({ length: 16 }, (_, p) => `q${p}_${p + 1}`)]);
    expect(words(2)).toEqual([]);
  });

  it('the offline text member: TF-IDF + SVD rows for every relevant client, zeros without events', async () => {
    const out = join(dir, 'text');
    const r = await textMember({ cache: cache(), relevant: BigInt64Array.from([12n, 10n, 11n]), out, seed: 1 });
    expect(r).toEqual({ dim: 3, offline: true }); // rank ≤ 3 clients
    const m = member(out);
    expect(isZero(m.rows[0]!)).toBe(true);
    expect(isZero(m.rows[1]!) || isZero(m.rows[2]!)).toBe(false);
  });
});

describe('the next-sku member on generated data', () => {
  const cachePath = join(dir, 'gen.seq');
  let relevant: BigInt64Array;
  beforeAll(async () => {
    await generate({ clients: 600, out: join(dir, 'data'), seed: 3 });
    await ingest({ dir: join(dir, 'data'), out: cachePath, topK: 80 });
    relevant = new EventCache(cachePath).file.readArray<BigInt64Array>('relevant');
  }, 120_000);

  it('one row per relevant client, zeros for those without sku events, the same from the same seed', async () => {
    const cache = new EventCache(cachePath);
    const run = async (out: string) => {
      const r = await nextItemMember({ cache, relevant, field: 'sku', out, hidden: 16, maxLen: 32, epochs: 1, seed: 5 });
      expect(r).toEqual({ dim: 16, clients: relevant.length, interrupted: false });
      return member(out);
    };
    const a = await run(join(dir, 'next-sku-a')),
      b = await run(join(dir, 'next-sku-b'));
    expect(a.dim).toBe(16);
    const { sequences } = itemSequences(cache, 'sku');
    const rows = cache.rowsOf(relevant);
    a.rows.forEach((r, i) => expect(isZero(r), `client ${i}`).toBe(rows[i]! < 0 || sequences[rows[i]!]!.length === 0));
    expect(a.rows).toEqual(b.rows);
  }, 120_000);
});
