// Progress on a terminal is a bar with its ETA (cli-progress); elsewhere (a pipe, a file, CI,
// --json) it stays the plain progress lines that the other tests read.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { log, stopProgressBars, useProgressBars } from '../ts/cli/output.js';
import { Progress, progressBar } from '../ts/train/progress.js';

/** A stream that says it is a terminal, and what was written to it. */
function terminal(isTTY = true): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

/** Ten reported steps of a Progress; the lines it printed. */
function run(): string[] {
  const lines: string[] = [];
  const p = new Progress(10, 0, (l) => lines.push(l), 'step', 'training');
  for (let s = 1; s <= 10; s++) p.report(s, { loss: 1 / s }, { count: 4, unit: 'seq' });
  p.end();
  return lines;
}

afterEach(stopProgressBars);

describe('progress', () => {
  it('on a terminal: a bar with the title, count, percentage, ETA and loss instead of lines', async () => {
    const t = terminal();
    useProgressBars(false, t.stream);
    expect(run()).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(t.text()).toMatch(/training \[[^\]]+\] 10\/10 100% \| ETA \d+s \| loss 0\.1000 {2}\d+ seq\/s/);
  });

  it('lines logged while a bar is drawn: through it when stdout is the terminal too, straight to stdout when redirected', async () => {
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout),
      tty = process.stdout.isTTY;
    process.stdout.write = ((chunk: string) => printed.push(chunk) > 0) as typeof process.stdout.write;
    try {
      for (const stdoutIsTerminal of [true, false]) {
        Object.defineProperty(process.stdout, 'isTTY', { value: stdoutIsTerminal, configurable: true });
        const t = terminal();
        useProgressBars(false, t.stream);
        const bar = progressBar('ingest: events', 100)!;
        bar.update(50, '');
        log(`a line, stdout a terminal: ${stdoutIsTerminal}`);
        bar.end();
        stopProgressBars();
        await new Promise((r) => setImmediate(r));
        expect(t.text()).toMatch(/ingest: events \[[^\]]+\] 50\/100 50%/);
        // on the terminal it goes through the bars (none lost after they end); redirected, to stdout itself
        expect(t.text().includes(`a line, stdout a terminal: ${stdoutIsTerminal}`)).toBe(stdoutIsTerminal);
        expect(printed.includes(`a line, stdout a terminal: ${stdoutIsTerminal}\n`)).toBe(!stdoutIsTerminal);
      }
    } finally {
      process.stdout.write = write;
      Object.defineProperty(process.stdout, 'isTTY', { value: tty, configurable: true });
    }
  });

  it('in a pipe, or with --json: plain lines with step, loss, throughput and time left; no bar', () => {
    for (const [json, tty] of [
      [false, false],
      [true, true],
    ] as const) {
      const t = terminal(tty);
      useProgressBars(json, t.stream);
      expect(progressBar('x', 1)).toBeUndefined();
      const lines = run();
      expect(lines).toHaveLength(10);
      expect(lines[9]).toMatch(/^step 10\/10 {2}loss 0\.1000 {2}\d+ seq\/s {2}elapsed \S+ {2}left \S+$/);
      expect(t.text()).toBe('');
    }
  });
});
