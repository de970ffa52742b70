// The report's charts and its HTML: titles, axis titles, every task and embedding named, the
// values printed, one curve per series; and the HTML report rendered by headless Chromium
// (Debian's `chromium`; skipped, saying why, where it is missing) shows the task names.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TaskResult } from '../ts/ubp/universal.js';
import { linesChart, scoresChart } from '../ts/report/charts.js';
import { writeReport } from '../ts/ubp/report.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-charts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TASKS = ['churn', 'propensity_category', 'propensity_sku'],
  EMBEDDINGS = ['count baseline', 'UBP autoencoder'];
const result = (task: string, score: number): TaskResult => ({ task, score, auroc: score, bestEpoch: 2, losses: [0.9, 0.7 - score / 10, 0.6 - score / 10] });
const results: [string, TaskResult[]][] = EMBEDDINGS.map((e, i) => [e, TASKS.map((t, j) => result(t, 0.61 + 0.1 * i + 0.013 * j))]);

/** A PNG's width and height (IHDR). */
function pngSize(png: Uint8Array): [number, number] {
  expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
  const v = new DataView(png.buffer, png.byteOffset);
  return [v.getUint32(16), v.getUint32(20)];
}

describe('report charts', () => {
  it('scores: title, axis titles, every task and embedding, each score printed', async () => {
    const c = await scoresChart(
      'Score per task',
      results.flatMap(([embedding, rs]) => rs.map((t) => ({ embedding, task: t.task, score: t.score }))),
    );
    for (const text of ['Score per task', 'task', 'score (higher is better)', 'embedding', ...TASKS, ...EMBEDDINGS, '0.610', '0.736'])
      expect(c.svg, text).toContain(`>${text}<`);
    expect(pngSize(c.png)[0]).toBeGreaterThanOrEqual(600);
  });

  it('losses: one line per series, named in the legend, axes titled', async () => {
    const c = await linesChart(
      'Loss per epoch',
      'epoch',
      'loss',
      TASKS.map((name, i) => ({ name, values: [1, 0.8 - i / 10, 0.5] })),
    );
    for (const text of ['Loss per epoch', 'epoch', 'loss', ...TASKS]) expect(c.svg, text).toContain(`>${text}<`);
    expect(c.svg.match(/class="mark-line role-mark/g)?.length).toBe(TASKS.length); // one line mark per series
    expect(pngSize(c.png)[0]).toBeGreaterThanOrEqual(600);
  });

  it('writeReport writes report.md, report.html (charts inline) and both PNGs', async () => {
    await writeReport({
      dir,
      about: 'test run',
      results,
      loss: {
        title: 'Loss per epoch, one curve per task',
        xTitle: 'epoch',
        series: results[0]![1].map((t) => ({ name: t.task, values: t.losses })),
        text: 'losses',
      },
    });
    const md = readFileSync(join(dir, 'report.md'), 'utf8'),
      html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(md).toContain('| **sum** |');
    expect(html).toContain('<td>sum</td>');
    expect(html.match(/<svg/g)?.length).toBe(2);
    for (const f of ['scores.png', 'training_loss.png']) expect(pngSize(readFileSync(join(dir, f)))[0]).toBeGreaterThanOrEqual(600);
  });

  const chromium = spawnSync('chromium', ['--version'], { encoding: 'utf8' });
  const why = chromium.error ? 'chromium is not installed (apt-get install chromium)' : null;
  if (why) console.log(`skipping the headless Chromium check: ${why}`);
  it.skipIf(why !== null)(
    'headless Chromium renders report.html with every task and embedding named',
    async () => {
      await writeReport({ dir, about: 'test run', results, loss: { title: 'Loss', xTitle: 'epoch', series: [{ name: 'churn', values: [1, 0.5] }], text: '' } });
      const r = spawnSync(
        'chromium',
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--dump-dom', `file://${join(dir, 'report.html')}`],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      // the rendered DOM's text: the tables, and the charts' SVG labels
      for (const name of [...TASKS, ...EMBEDDINGS]) expect(r.stdout, name).toContain(`>${name}<`);
    },
    90_000,
  );
});
