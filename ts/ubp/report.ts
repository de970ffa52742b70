// The evaluation report written next to an embedding: report.md with the score table and
// every metric, scores.png (bars per task, one per embedding, the baseline first when there
// is one) and training_loss.png. Written by writeFilesAtomic, report.md last: a kill never
// leaves a report beside the charts of another.
import { mkdirSync } from 'node:fs';
import { writeFilesAtomic } from '../data/atomic.js';
import { join } from 'node:path';
import type { TaskResult } from '../eval/universal.js';
import { barChart, lineChart, PALETTE_NAMES } from '../report/png.js';

/** The score table: one row per task, one column per embedding, then the sums. */
export function scoreTable(results: [string, TaskResult[]][]): string {
  const tasks = results[0]![1].map((t) => t.task);
  const sum = (r: TaskResult[]): number => r.reduce((a, x) => a + x.score, 0);
  return [`| task | ${results.map(([n]) => n).join(' | ')} |`, `|---|${results.map(() => '---|').join('')}`,
    ...tasks.map((t, i) => `| ${t} | ${results.map(([, r]) => r[i]!.score.toFixed(4)).join(' | ')} |`),
    `| **sum** | ${results.map(([, r]) => sum(r).toFixed(4)).join(' | ')} |`].join('\n');
}

export interface Report {
  dir: string;
  /** A paragraph on what was run. */
  about: string;
  results: [string, TaskResult[]][];
  /** The loss chart: its heading, the series, and text under it. */
  loss: { title: string; values: number[]; text: string };
}

export function writeReport(r: Report): void {
  mkdirSync(r.dir, { recursive: true });
  const text = `# Universal Behavioral Profiles — evaluation report

${r.about}

## Scores (the challenge's: churn = AUROC; propensity = 0.8·AUROC + 0.1·novelty + 0.1·diversity)

${scoreTable(r.results)}

## Every metric

${['| embedding | task | AUROC | novelty | diversity | score | best epoch |', '|---|---|---|---|---|---|---|',
  ...r.results.flatMap(([name, rs]) => rs.map((t) =>
    `| ${name} | ${t.task} | ${t.auroc.toFixed(4)} | ${t.novelty?.toFixed(4) ?? '-'} | ${t.diversity?.toFixed(4) ?? '-'} | ${t.score.toFixed(4)} | ${t.bestEpoch} |`))].join('\n')}

## Scores per task

![scores](scores.png)

Bars per task, in column order: ${r.results.map(([n], i) => `${n} (${PALETTE_NAMES[i % PALETTE_NAMES.length]})`).join(', ')}.

## ${r.loss.title}

![training loss](training_loss.png)

${r.loss.text}
`;
  writeFilesAtomic([
    [join(r.dir, 'scores.png'), barChart(r.results[0]![1].map((_, t) => r.results.map(([, rs]) => rs[t]!.score)))],
    [join(r.dir, 'training_loss.png'), lineChart(r.loss.values.length ? r.loss.values : [0])],
    [join(r.dir, 'report.md'), text],
  ]);
}
