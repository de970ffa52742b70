// Progress of a long step (training, ingest, ALS, evaluation, embedding): a status line per
// report (step, loss, throughput, elapsed, time left), or, where the command line installed
// bars (a terminal: ts/cli/output.ts), one bar per step with its ETA instead of the lines.

/** One bar of a step: moved to `done` with a short text (loss, throughput), ended when the step ends. */
export interface ProgressBar {
  update(done: number, text: string): void;
  end(): void;
}
/** Makes the bar of a step titled `title` that runs from `start` to `total`. */
export type ProgressBars = (title: string, total: number, start: number) => ProgressBar;

let bars: ProgressBars | undefined;

/** Bars instead of status lines for every Progress made from now on (undefined: lines again). */
export function showProgressAs(b: ProgressBars | undefined): void {
  bars = b;
}

/**
 * A bar for a long step that prints its own progress lines (or none): undefined where no bars
 * are installed, so the step's lines stay as they are.
 */
export function progressBar(title: string, total: number, start = 0): ProgressBar | undefined {
  return bars?.(title, total, start);
}

export class Progress {
  private readonly t0 = performance.now();
  private readonly step0: number;
  private readonly bar: ProgressBar | undefined;

  /** `label` starts each line ("step 40/400 …"); `title` names the bar. */
  constructor(
    readonly total: number,
    startStep: number,
    private readonly out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
    private readonly label = 'step',
    title = 'training',
  ) {
    this.step0 = startStep;
    this.bar = progressBar(title, total, startStep);
  }

  report(step: number, fields: Record<string, number> = {}, items?: { count: number; unit: string }): void {
    const secs = (performance.now() - this.t0) / 1000;
    const done = step - this.step0;
    const rate = done / Math.max(secs, 1e-9);
    const left = (this.total - step) / Math.max(rate, 1e-9);
    const f = Object.entries(fields)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ');
    const speed = items ? `${((items.count * done) / Math.max(secs, 1e-9)).toFixed(0)} ${items.unit}/s` : '';
    if (this.bar) {
      this.bar.update(step, [f, speed].filter(Boolean).join('  '));
      return;
    }
    this.out([`${this.label} ${step}/${this.total}`, f, speed, `elapsed ${fmtTime(secs)}`, `left ${fmtTime(left)}`].filter(Boolean).join('  '));
  }

  /** The step is over: its bar stops (lines need nothing). */
  end(): void {
    this.bar?.end();
  }
}

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60),
    r = Math.round(s % 60);
  return m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${s.toFixed(1)}s`;
}
