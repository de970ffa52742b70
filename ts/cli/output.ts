// The command line's output: results and notes as lines, progress as bars with an ETA on a
// terminal (cli-progress, on stderr) and as plain lines otherwise (a pipe, a file, CI). While
// bars are drawn every line goes through them, so the two never tear each other.
import { MultiBar, Presets } from 'cli-progress';
import { showProgressAs } from '../train/progress.js';

/** The bars being drawn (undefined while none is: lines are then written directly). */
let multibar: MultiBar | undefined;

/** A line; through the bars (drawn on stderr) only when it goes to a terminal too, where they would tear it. */
function write(stream: NodeJS.WriteStream, line: string): void {
  if (multibar && stream.isTTY) multibar.log(`${line}\n`);
  else stream.write(`${line}\n`);
}

/** A line of the command's output (stdout). */
export const log = (line: string): void => write(process.stdout, line);
/** A line beside the output (stderr): progress and notes of commands whose stdout is the result. */
export const note = (line: string): void => write(process.stderr, line);

/** Draws what is pending (bars, lines logged meanwhile) and lets go of the terminal. */
function finish(): void {
  multibar?.update();
  multibar?.stop();
  multibar = undefined;
}

/**
 * Bars for every long step when `stream` is a terminal and the output is not JSON Lines; plain
 * progress lines otherwise. `stream` is a parameter for the test, which passes a fake terminal.
 */
export function useProgressBars(json: boolean, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): void {
  if (json || !stream.isTTY) return;
  const options = {
    stream,
    format: '{title} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {text}',
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  };
  // MultiBar redraws on a timer, which a synchronous step (statistics, ALS: native calls)
  // never lets run: an update redraws itself when the last redraw is older than this.
  let drawn = 0,
    open = 0;
  showProgressAs((title, total, start) => {
    multibar ??= new MultiBar(options, Presets.shades_classic);
    const bars = multibar,
      bar = bars.create(total, start, { title, text: '' });
    open++;
    return {
      update: (done, text) => {
        bar.update(done, { text });
        if (performance.now() - drawn > 200) {
          drawn = performance.now();
          bars.update();
        }
      },
      end: () => {
        bar.stop();
        if (--open === 0 && multibar === bars) finish();
      },
    };
  });
}

/** Bars off (before the process ends, so the cursor comes back). */
export function stopProgressBars(): void {
  finish();
  showProgressAs(undefined);
}
