// seqcore's challenge evaluation beside the organisers' own code (Synerise/recsys2025): their
// split (data_utils/split_data.py), targets (training_pipeline/target_calculators.py) and
// metrics (torchmetrics AUROC, their Novelty and Diversity), run once on a generated dataset
// by scripts/organisers/targets-fixture.sh and committed as test/fixtures/organisers/targets.json.
// The same dataset is generated here (the generator is deterministic) and seqcore's targets
// and metrics must agree: ids, dates and labels exactly, metric values to float32 precision.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../ts/data/generate.js';
import { EventCache, ingest } from '../ts/data/ingest.js';
import { fromFloat16Bits, readNpy } from '../ts/io/npy.js';
import { buildTargets, type TargetSummary } from '../ts/data/targets.js';
import { auroc, propensityScores } from '../ts/ubp/metrics.js';

interface PropensityFixture {
  targets: number[];
  popularity: number[];
  positives: [number, number][];
  empty_columns: number;
  auroc: number;
  novelty: number;
  diversity: number;
}
const fixture = JSON.parse(readFileSync('test/fixtures/organisers/targets.json', 'utf8')) as {
  clients: number;
  end: string;
  train_target_start: string;
  validation_target_start: string;
  input_events: Record<string, number>;
  active_clients: number[];
  tasks: { churn: { positives: number[]; auroc: number }; propensity_category: PropensityFixture; propensity_sku: PropensityFixture };
};

const dir = mkdtempSync(join(tmpdir(), 'seqcore-organisers-'));
const data = join(dir, 'data'),
  targets = join(dir, 'targets');
let summary: TargetSummary;
beforeAll(async () => {
  await generate({ clients: 20000, seed: 11, out: data }); // as scripts/organisers/targets-fixture.sh
  summary = await buildTargets({ dir: data, out: targets });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fixture's logits: an integer hash of (row, column) scaled to [-4, 4), made the same way in targets_fixture.py. */
function predictions(rows: number, cols: number): Float32Array {
  const p = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) p[i * cols + j] = Math.fround((((i * 2654435761 + j * 40503 + 12345) % 2 ** 32) / 2 ** 32) * 8 - 4);
  return p;
}

const ids = (path: string): number[] => Array.from(readNpy(path).data as BigInt64Array, Number);
/** (row, column) of every 1 in a targets file (float16 users×targets, or float32 per user). */
function positives(path: string): [number, number][] {
  const a = readNpy(path);
  const v = a.dtype === 'float16' ? fromFloat16Bits(a.data as Uint16Array) : (a.data as Float32Array);
  const w = a.shape[1] ?? 1,
    out: [number, number][] = [];
  v.forEach((x, k) => {
    if (x === 1) out.push([Math.floor(k / w), k % w]);
  });
  return out;
}

describe("the organisers' split, targets and metrics", () => {
  it('the same end, input cut and validation window; the input holds the same events', async () => {
    expect(summary.end).toBe(fixture.end);
    expect(summary.inputCut).toBe(fixture.train_target_start);
    expect(summary.validationStart).toBe(fixture.validation_target_start);
    expect(summary.relevant).toBe(fixture.clients);
    const cache = join(dir, 'input.seq');
    await ingest({ dir: data, out: cache, before: summary.inputCut });
    expect(new EventCache(cache).file.meta.events).toBe(Object.values(fixture.input_events).reduce((a, b) => a + b, 0));
  }, 120_000);

  it('the same active clients and churn labels', () => {
    expect(ids(join(targets, 'active_clients.npy'))).toEqual(fixture.active_clients);
    expect(positives(join(targets, 'validation_target', 'churn.npy')).map(([r]) => r)).toEqual(fixture.tasks.churn.positives);
  });

  for (const k of ['category', 'sku'] as const)
    it(`${k} propensity: the same 100 targets (most purchased in the training target window), popularity and labels`, () => {
      const f = fixture.tasks[`propensity_${k}`];
      expect(ids(join(targets, `propensity_${k}.npy`))).toEqual(f.targets);
      expect(Array.from(readNpy(join(targets, `popularity_propensity_${k}.npy`)).data as Float32Array)).toEqual(f.popularity.map(Math.fround));
      expect(positives(join(targets, 'validation_target', `${k}.npy`))).toEqual(f.positives);
    });

  it('the same metric values on the same predictions', () => {
    const active = fixture.active_clients.length;
    const churnLabels = new Float32Array(active);
    for (const r of fixture.tasks.churn.positives) churnLabels[r] = 1;
    // torchmetrics accumulates in float32, seqcore in float64: agreement to float32's 2^-23 relative, a few roundings over
    expect(auroc(predictions(active, 1), churnLabels)).toBeCloseTo(fixture.tasks.churn.auroc, 6);
    for (const k of ['category', 'sku'] as const) {
      const f = fixture.tasks[`propensity_${k}`],
        n = fixture.clients,
        w = f.targets.length;
      const labels = new Float32Array(n * w);
      for (const [r, c] of f.positives) labels[r * w + c] = 1;
      const s = propensityScores(predictions(n, w), labels, Float32Array.from(f.popularity), n, w);
      expect(s.oneClassLabels, k).toBe(f.empty_columns);
      expect(s.auroc, `${k} AUROC`).toBeCloseTo(f.auroc, 6);
      expect(s.diversity, `${k} diversity`).toBeCloseTo(f.diversity, 6);
      // novelty = (1 − x)^100 multiplies x's float32 rounding by about 100: agreement to 1e-5 relative (measured: 1.2e-6)
      expect(Math.abs(s.novelty - f.novelty) / f.novelty, `${k} novelty (relative)`).toBeLessThan(1e-5);
    }
  });
});
