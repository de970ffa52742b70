import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventCache } from '../ts/data/ingest.js';
import { ingestLog } from '../ts/data/logs.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('generic interaction logs', () => {
  it('a CSV with named columns: chronological per user, items by frequency, event types', async () => {
    const f = file(
      'log.csv',
      'uid,asin,when,kind\n7,100,2022-01-02 00:00:00,view\n5,200,2022-01-01 00:00:00,buy\n7,200,2022-01-01 12:00:00,view\n7,300,2022-01-09 00:00:00,view\n',
    );
    const out = join(dir, 'csv.seq');
    expect(await ingestLog({ file: f, out, user: 'uid', item: 'asin', time: 'when', event: 'kind', topK: 1 })).toEqual({ clients: 2, events: 4 });
    const c = new EventCache(out);
    expect(Array.from(c.clients)).toEqual([5n, 7n]);
    expect(Array.from(c.offsets)).toEqual([0, 1, 4]);
    expect(Array.from(c.field('sku'))).toEqual([5, 5, 4, 4]); // top-1 item is 200; the rest out of vocabulary
    expect(Array.from(c.field('event'))).toEqual([6, 5, 5, 5]); // view (3 times) → 5, buy → 6
    expect(Array.from(c.field('day'))).toEqual([5, 5, 6, 13]); // days since 2022-01-01
    expect(Array.from(c.field('url'))).toEqual([3, 3, 3, 3]);
  });

  it('the Amazon Beauty text format: one line per user, items in order', async () => {
    const f = file('beauty.txt', '1 10 11 10\n2 12\n');
    const out = join(dir, 'beauty.seq');
    expect(await ingestLog({ file: f, out })).toEqual({ clients: 2, events: 4 });
    const c = new EventCache(out);
    expect(Array.from(c.field('sku'))).toEqual([5, 6, 5, 7]); // 10 (twice) → 5, then 11, 12 by id
    expect(Array.from(c.field('day'))).toEqual([3, 3, 3, 3]); // no timestamps
  });

  it('Beauty lines may end in \\r\\n or a lone \\r (old Mac files) as well as \\n', async () => {
    for (const [name, text] of [
      ['crlf.txt', '1 10 11 10\r\n2 12\r\n'],
      ['cr.txt', '1 10 11 10\r2 12\r'],
    ]) {
      const out = join(dir, `${name}.seq`);
      expect(await ingestLog({ file: file(name, text), out }), name).toEqual({ clients: 2, events: 4 });
    }
  });

  it('rejects bad input naming the file, column and row, and writes nothing', async () => {
    const out = join(dir, 'bad.seq');
    await expect(ingestLog({ file: file('a.csv', 'user,item\n1,2\n'), out })).rejects.toThrow(
      /a\.csv: no time column 'timestamp' \(has user, item; name it with --time\)/,
    );
    await expect(ingestLog({ file: file('b.csv', 'user,item,timestamp\n1,2,2022-01-01 00:00:00\nx,3,2022-01-01 00:00:00\n'), out })).rejects.toThrow(
      /b\.csv line 3: user 'x' in column 'user' is not an integer id/,
    );
    await expect(ingestLog({ file: file('c.csv', 'user,item,timestamp\n1,2,yesterday\n'), out })).rejects.toThrow(
      /c\.csv line 2: time 'yesterday' in column 'timestamp' is not a timestamp/,
    );
    await expect(ingestLog({ file: file('d.csv', 'user,item,timestamp\n'), out })).rejects.toThrow(/d\.csv: no rows/);
    await expect(ingestLog({ file: file('e.txt', '1 2 3\n4 five\n'), out })).rejects.toThrow(/e\.txt line 2: 'five' is not an integer id/);
    await expect(ingestLog({ file: join(dir, 'none.csv'), out })).rejects.toThrow(/none\.csv: no such file/);
    expect(existsSync(out)).toBe(false);
  });
});
