// The report's charts: Vega-Lite specs rendered to SVG by Vega (no browser, no canvas), and the
// SVG rasterised to PNG by resvg with the system's fonts. Each chart has a title, labelled
// axes, a legend and its values printed, so that the PNG alone says what it shows.
import type { TopLevelSpec } from 'vega-lite';

export interface Chart {
  svg: string;
  png: Uint8Array;
}

/** PNGs at 1.5× the SVG's size: crisp text on screens and in print. */
const ZOOM = 1.5;
const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

async function render(spec: TopLevelSpec): Promise<Chart> {
  const [vega, vl, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, {
      background: 'white',
      fitTo: { mode: 'zoom', value: ZOOM },
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    })
      .render()
      .asPng();
    return { svg, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength) };
  } finally {
    view.finalize();
  }
}

// labelLimit 0: task and embedding names are never cut short
const config = {
  font: FONT,
  title: { fontSize: 16, anchor: 'start' as const },
  axis: { labelFontSize: 12, titleFontSize: 13, labelLimit: 0 },
  legend: { labelFontSize: 12, titleFontSize: 13, labelLimit: 0 },
};

/**
 * Grouped bars: for each task (x), one bar per embedding (colour, with a legend), its score
 * printed above it. values: [embedding, task, score] rows, in display order.
 */
export function scoresChart(title: string, rows: readonly { embedding: string; task: string; score: number }[]): Promise<Chart> {
  const embeddings = [...new Set(rows.map((r) => r.embedding))],
    tasks = [...new Set(rows.map((r) => r.task))];
  // about 900 px of bars whatever their number, 14 to 46 px each
  const step = Math.max(14, Math.min(46, Math.floor(900 / (tasks.length * embeddings.length))));
  const data = rows.map((r) => ({ ...r, label: Number.isFinite(r.score) ? r.score.toFixed(3) : 'n/a' }));
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    config,
    data: { values: data },
    width: { step },
    height: 320,
    encoding: {
      x: { field: 'task', type: 'nominal', sort: tasks, title: 'task', axis: { labelAngle: 0 } },
      xOffset: { field: 'embedding', sort: embeddings },
      y: { field: 'score', type: 'quantitative', title: 'score (higher is better)' },
      color: { field: 'embedding', type: 'nominal', sort: embeddings, title: 'embedding', legend: { orient: 'bottom' } },
    },
    layer: [{ mark: 'bar' }, { mark: { type: 'text', dy: -6, fontSize: 10, angle: 0 }, encoding: { text: { field: 'label' } } }],
  } as TopLevelSpec);
}

/** One line per series (colour, with a legend) of y over x = 1, 2, …; xTitle names the unit. */
export function linesChart(title: string, xTitle: string, yTitle: string, series: readonly { name: string; values: readonly number[] }[]): Promise<Chart> {
  const data = series.flatMap((s) => s.values.map((y, i) => ({ series: s.name, x: i + 1, y })));
  // integer ticks: each of a few epochs, else the scale's own (whole numbers)
  const n = Math.max(...series.map((s) => s.values.length));
  const ticks = n <= 30 ? { values: Array.from({ length: n }, (_, i) => i + 1) } : { tickMinStep: 1 };
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    config,
    data: { values: data },
    width: 640,
    height: 320,
    mark: { type: 'line', point: data.length <= 200 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, axis: { ...ticks, format: 'd' } },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', sort: series.map((s) => s.name), title: null, legend: { orient: 'bottom' } },
    },
  } as TopLevelSpec);
}
