// seqcore's count features (`ubp counts`), a small comparison for any embedding: per client,
// event counts of each type over the last 1, 7 and 30 days before the input cut and over all
// time, plus counts of the 10 most frequent categories (purchases, cart adds) and urls
// (visits). Not the organisers' baseline (that is ./aggregated_baseline.ts, which every report
// compares against). Written in the submission format.
import { checkApart } from '../io/atomic.js';
import { checkFile, lit, openDuck, rows, TIMESTAMP_FORMAT } from '../data/duck.js';
import { readRelevantClients } from '../data/inputs.js';
import { EVENT_TYPES } from '../data/schema.js';
import { writeSubmission } from './export.js';

export async function countFeatures(o: { data: string; before: string; out: string }): Promise<{ clients: number; dim: number }> {
  checkApart(o.out, o.data);
  const { conn, close } = await openDuck();
  try {
    const relevant = readRelevantClients(o.data);
    const props = await checkFile(conn, o.data, 'product_properties');
    const cut = `strptime(${lit(o.before)}, '${TIMESTAMP_FORMAT}')`;
    const features: string[] = [];
    for (const t of EVENT_TYPES) {
      const file = await checkFile(conn, o.data, t);
      const cat = t === 'product_buy' || t === 'add_to_cart';
      await conn.run(`CREATE TEMP TABLE e_${t} AS SELECT e.client_id, strptime(e.timestamp, '${TIMESTAMP_FORMAT}') AS ts
        ${cat ? ', p.category AS v' : t === 'page_visit' ? ', e.url AS v' : ', NULL AS v'}
        FROM read_parquet(${lit(file)}) e ${cat ? `LEFT JOIN read_parquet(${lit(props)}) p USING (sku)` : ''}
        WHERE strptime(e.timestamp, '${TIMESTAMP_FORMAT}') < ${cut}`);
      for (const days of [1, 7, 30, 0]) features.push(`count(*) FILTER (WHERE type = '${t}'${days ? ` AND ts >= ${cut} - INTERVAL ${days} DAY` : ''})`);
      if (cat || t === 'page_visit') {
        const top = (await rows(conn, `SELECT v FROM e_${t} WHERE v IS NOT NULL GROUP BY v ORDER BY count(*) DESC, v LIMIT 10`)).map((r) => String(r.v));
        for (const v of top) features.push(`count(*) FILTER (WHERE type = '${t}' AND v = ${v})`);
      }
    }
    const union = EVENT_TYPES.map((t) => `SELECT client_id, ts, v::BIGINT AS v, '${t}' AS type FROM e_${t}`).join(' UNION ALL ');
    const result = await rows(conn, `SELECT client_id, [${features.join(', ')}] AS f FROM (${union}) GROUP BY client_id`);
    const dim = features.length,
      byClient = new Map<bigint, number[]>();
    for (const r of result) byClient.set(BigInt(r.client_id as bigint), (r.f as { items: unknown[] }).items.map(Number));
    const x = new Float32Array(relevant.length * dim);
    relevant.forEach((c, i) => {
      const f = byClient.get(c);
      if (f) x.set(f, i * dim);
    });
    writeSubmission(o.out, relevant, x, dim, relevant);
    return { clients: relevant.length, dim };
  } finally {
    close();
  }
}
