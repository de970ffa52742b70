/** One status line per report: step, loss, throughput and time left. */
export class Progress {
  private readonly t0 = performance.now();
  private readonly step0: number;

  constructor(
    readonly total: number,
    startStep: number,
    private readonly out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  ) {
    this.step0 = startStep;
  }

  report(step: number, fields: Record<string, number>, items: { count: number; unit: string }): void {
    const secs = (performance.now() - this.t0) / 1000;
    const done = step - this.step0;
    const rate = done / Math.max(secs, 1e-9);
    const left = (this.total - step) / Math.max(rate, 1e-9);
    const f = Object.entries(fields)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ');
    this.out(
      `step ${step}/${this.total}  ${f}  ${((items.count * done) / Math.max(secs, 1e-9)).toFixed(0)} ${items.unit}/s  elapsed ${fmtTime(secs)}  left ${fmtTime(left)}`,
    );
  }
}

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60),
    r = Math.round(s % 60);
  return m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${s.toFixed(1)}s`;
}
