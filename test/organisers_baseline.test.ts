// seqcore's aggregated baseline (ts/ubp/aggregated_baseline.ts) against the organisers' own
// code: test/fixtures/organisers/baseline/ was written by their baseline/aggregated_features_baseline
// on the dataset generated here (scripts/organisers/baseline-fixture.sh: --clients 3000 --seed 11,
// their split_data first, so the input cut is meta.before).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../ts/data/generate.js';
import { readRelevantClients } from '../ts/data/inputs.js';
import { npyFloat32, readNpy } from '../ts/io/npy.js';
import { aggregatedBaseline, numpyQuickArgsort, pandasTopValues } from '../ts/ubp/aggregated_baseline.js';
import { readSubmission } from '../ts/ubp/export.js';

const fixture = join(import.meta.dirname, 'fixtures', 'organisers', 'baseline');
const meta = JSON.parse(readFileSync(join(fixture, 'meta.json'), 'utf8')) as {
  before: string | null;
  num_days: number[];
  top_n: number;
  relevant_clients: number;
  columns: number;
  rows: number;
  missing: number[];
};
const dir = mkdtempSync(join(tmpdir(), 'seqcore-orgbase-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the organisers' aggregated-features baseline", () => {
  it('ties in the top values fall as pandas 2.2 / numpy 1.24 leave them (numpy quicksort, not a stable order)', () => {
    // np.argsort(x, kind='quicksort') with numpy 1.24.2
    const x = [3, 0, 0, 0, 0, 3, 3, 2, 0, 0, 1, 1, 2, 1, 1, 0, 2, 2, 0, 0, 1, 1, 3, 2];
    expect([...numpyQuickArgsort(x)]).toEqual([1, 2, 3, 4, 19, 8, 9, 18, 15, 11, 21, 20, 10, 13, 14, 17, 23, 12, 7, 16, 22, 6, 5, 0]);
    // pd.Series(v).value_counts().index[:10] with pandas 2.2.3, as positions among the values in
    // order of first appearance (counts below); "count desc, then first seen" would give
    // [20, 21, 5, 7, 17, 9, 15, 1, 3, 4].
    const counts = [4, 8, 7, 8, 8, 10, 7, 10, 7, 9, 5, 5, 5, 6, 5, 9, 5, 10, 6, 6, 13, 12, 8, 8, 4, 5, 4, 5, 1];
    expect(pandasTopValues(counts, 10)).toEqual([20, 21, 5, 7, 17, 9, 15, 3, 4, 23]);
  });

  it('equals their create_embeddings.py output, value for value', async () => {
    const data = join(dir, 'data'),
      out = join(dir, 'submission');
    await generate({ clients: 3000, out: data, seed: 11 });
    const r = await aggregatedBaseline({ data, before: meta.before ?? undefined, out, numDays: meta.num_days, topN: meta.top_n });
    expect(r).toEqual({ clients: meta.relevant_clients, dim: meta.columns });

    const relevant = readRelevantClients(data);
    const ids = readNpy(join(fixture, 'client_ids.npy'));
    expect(ids.dtype).toBe('int64');
    expect([...(ids.data as BigInt64Array)]).toEqual([...relevant.subarray(0, meta.rows)]);
    const want = readNpy(join(fixture, 'features.npy'));
    expect(want.shape).toEqual([meta.rows, meta.columns]);
    const wantValues = npyFloat32(want);

    const { values, dim } = readSubmission(out, relevant);
    expect(dim).toBe(meta.columns);
    // Tolerance 0, for counts and query means alike. Both sides are float16: their
    // EMBEDDINGS_DTYPE, our submission. Counts are integers rounded once to float16. The mean
    // is numpy's float16 mean: an exact float32 sum of integer codes, a float32 division (here
    // Math.fround of the double quotient, which is the correctly rounded float32 quotient: a
    // double has more than 2·24+2 bits), then float16 round-to-nearest-even, done by the same
    // two roundings here (float32, then writeSubmission's float16). The fixture holds those
    // float16 values widened to float32, exactly. Any difference is a real one (one float16
    // ulp of a mean included), so nothing is tolerated.
    const got = values.subarray(0, meta.rows * dim);
    let bad = 0,
      first = '';
    for (let i = 0; i < got.length; i++)
      if (got[i] !== wantValues[i]) {
        if (!bad) first = `client ${relevant[Math.floor(i / dim)]} column ${i % dim}: ${got[i]}, theirs ${wantValues[i]}`;
        bad++;
      }
    expect(bad, first).toBe(0);
    // Relevant clients without input events: no row in their output, zeros here (and in the fixture).
    const missing = new Set(meta.missing.map(BigInt));
    expect(missing.size).toBeGreaterThan(0);
    relevant.forEach((c, i) => {
      if (missing.has(c)) expect(values.subarray(i * dim, (i + 1) * dim).every((v) => v === 0)).toBe(true);
    });
  });
});
