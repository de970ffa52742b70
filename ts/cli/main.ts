#!/usr/bin/env node
// seqcore's command line (ts/cli/program.ts defines it): runs one command, maps usage errors
// to exit 2 and other failures to exit 1, and turns Ctrl-C into "checkpoint and stop".
import { CommanderError } from 'commander';
import { checkpointingNow } from '../train/interrupt.js';
import { runProgram } from './options.js';
import { buildProgram } from './program.js';
import { stopProgressBars, useProgressBars } from './output.js';
import '../index.js';

/**
 * Ctrl-C asks a running training loop to checkpoint and stop; a second Ctrl-C, or one while no
 * loop runs (nothing to save: outputs are written whole), quits at once (exit handlers release
 * the output lock).
 */
function onInterrupt(): () => boolean {
  let stop = false;
  process.on('SIGINT', () => {
    if (stop || !checkpointingNow()) {
      stopProgressBars();
      process.stderr.write('\ninterrupted\n');
      process.exit(130);
    }
    stop = true;
    process.stderr.write('\ninterrupt: finishing this step and saving a checkpoint (Ctrl-C again to quit now)\n');
  });
  return () => stop;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram(onInterrupt());
  useProgressBars(argv.includes('--json'));
  try {
    return await runProgram(program, argv);
  } finally {
    stopProgressBars();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof CommanderError) {
      // commander printed its own errors and the help it was asked for; ours are printed here.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
      if (e.code.startsWith('seqcore.')) process.stderr.write(`seqcore: ${e.message}\n`);
      process.exit(e.code === 'commander.help' ? 0 : 2);
    }
    process.stderr.write(`seqcore: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
