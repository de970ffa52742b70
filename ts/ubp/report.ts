// The evaluation report written next to an embedding: report.md and report.html with the
// score table and every metric, scores.png (bars per task, one per embedding, the baseline
// first when there is one, each labelled with its score) and training_loss.png (one curve per
// series). Written by writeFilesAtomic, report.md last: a kill never leaves a report beside
// the charts of another.
import { mkdirSync } from 'node:fs';
import { writeFilesAtomic } from '../io/atomic.js';
import { join } from 'node:path';
import { scoreSum, type TaskResult } from './universal.js';
import { linesChart, scoresChart, type Chart } from '../report/charts.js';

/** The score table: one row per task, one column per embedding, then the sums. */
export function scoreTable(results: [string, TaskResult[]][]): string {
  const tasks = results[0]![1].map((t) => t.task);
  return [
    `| task | ${results.map(([n]) => n).join(' | ')} |`,
    `|---|${results.map(() => '---|').join('')}`,
    ...tasks.map((t, i) => `| ${t} | ${results.map(([, r]) => r[i]!.score.toFixed(4)).join(' | ')} |`),
    `| **sum** | ${results.map(([, r]) => scoreSum(r).toFixed(4)).join(' | ')} |`,
  ].join('\n');
}

export interface Report {
  dir: string;
  /** A paragraph on what was run. */
  about: string;
  results: [string, TaskResult[]][];
  /** The loss chart: its heading, its x axis' unit, one curve per series, and text under it. */
  loss: { title: string; xTitle: string; series: { name: string; values: number[] }[]; text: string };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A markdown table (header, rule, rows) as an HTML table. */
function htmlTable(md: string): string {
  const rows = md
    .split('\n')
    .filter((l, i) => i !== 1)
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => escapeHtml(c.trim().replace(/\*\*/g, ''))),
    );
  const [head, ...body] = rows;
  return (
    `<table>\n<tr>${head!.map((c) => `<th>${c}</th>`).join('')}</tr>\n` +
    `${body.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')}\n</table>`
  );
}

const HEADING = 'Universal Behavioral Profiles — evaluation report';
const SCORING = "Scores (the challenge's: churn = AUROC; propensity = 0.8·AUROC + 0.1·novelty + 0.1·diversity)";
const STYLE =
  'body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}' +
  'td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}';

/** Both charts of a report, or a rejection when either cannot be drawn. */
async function charts(r: Report): Promise<{ scores: Chart; loss: Chart }> {
  const scores = await scoresChart(
    'Score per task, one bar per embedding',
    r.results.flatMap(([embedding, rs]) => rs.map((t) => ({ embedding, task: t.task, score: t.score }))),
  );
  const series = r.loss.series.filter((s) => s.values.length);
  const loss = await linesChart(r.loss.title, r.loss.xTitle, 'loss', series.length ? series : [{ name: 'no loss recorded', values: [0] }]);
  return { scores, loss };
}

/**
 * report.md and report.html (the same, with the charts inline as SVG), scores.png and
 * training_loss.png, written together (writeFilesAtomic; report.md last).
 */
export async function writeReport(r: Report): Promise<void> {
  mkdirSync(r.dir, { recursive: true });
  const table = scoreTable(r.results);
  const metrics = [
    '| embedding | task | AUROC | novelty | diversity | score | best epoch |',
    '|---|---|---|---|---|---|---|',
    ...r.results.flatMap(([name, rs]) =>
      rs.map(
        (t) =>
          `| ${name} | ${t.task} | ${t.auroc.toFixed(4)} | ${t.novelty?.toFixed(4) ?? '-'} | ` +
          `${t.diversity?.toFixed(4) ?? '-'} | ${t.score.toFixed(4)} | ${t.bestEpoch} |`,
      ),
    ),
  ].join('\n');
  // The charts are extras: if they cannot be drawn (resvg's native binary missing, say), the
  // scores still reach the report, with a line saying why the charts are not there.
  const drawn = await charts(r).catch((e: unknown) => `charts not drawn: ${(e as Error).message}`);
  const why = typeof drawn === 'string' ? drawn : '';
  if (why) process.stderr.write(`report: ${why}\n`);
  const scores = typeof drawn === 'string' ? null : drawn.scores,
    loss = typeof drawn === 'string' ? null : drawn.loss;
  const text = `# ${HEADING}

${r.about}

## ${SCORING}

${table}

## Every metric

${metrics}

## Scores per task

${scores ? '![scores](scores.png)' : `(${why})`}

## ${r.loss.title}

${loss ? '![training loss](training_loss.png)' : `(${why})`}

${r.loss.text}
`;
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(HEADING)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(HEADING)}</h1>
<p>${escapeHtml(r.about)}</p>
<h2>${escapeHtml(SCORING)}</h2>
${htmlTable(table)}
<h2>Every metric</h2>
${htmlTable(metrics)}
<h2>Scores per task</h2>
${scores?.svg ?? `<p>${escapeHtml(why)}</p>`}
<h2>${escapeHtml(r.loss.title)}</h2>
${loss?.svg ?? `<p>${escapeHtml(why)}</p>`}
<pre>${escapeHtml(r.loss.text)}</pre>
</body>
</html>
`;
  writeFilesAtomic([
    ...(scores && loss
      ? ([
          [join(r.dir, 'scores.png'), scores.png],
          [join(r.dir, 'training_loss.png'), loss.png],
        ] as const)
      : []),
    [join(r.dir, 'report.html'), html],
    [join(r.dir, 'report.md'), text],
  ]);
}
