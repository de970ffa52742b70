// The seqcore command line as one commander program: every command and subcommand with its
// description, each flag's meaning and default, and examples (`seqcore … --help`). main.ts
// runs it; scripts/cli-doc.sh prints the whole tree into docs/cli.md.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, Help, type Option } from 'commander';
import { packageRoot } from '../addon_path.js';
import { lockOutput } from '../io/lock.js';
import { runExample } from '../example/train.js';
import { addBuildCommand } from './build.js';
import { addDataCommand } from './data.js';
import { addDoctorCommand } from './doctor.js';
import { integer, MAX_COUNT, MAX_WIDTH, number, seed } from './flags.js';
import { applyShared, endWith, examples, runProgram, withBackend, withThreads } from './options.js';
import { log } from './output.js';
import { addProfilesCommand } from './profiles.js';
import { addRecCommand } from './rec.js';
import { addUbpCommand } from './ubp.js';

/** The flags of options.ts that many commands share, listed after each command's own. */
const SHARED = ['--threads', '--backend', '--precision'];

const version = (): string => (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

function addExampleCommand(program: Command, shouldStop: () => boolean): void {
  examples(
    withBackend(withThreads(program.command('example').description('train the bundled example: a GRU that predicts the next token of generated sessions')))
      .option('--steps <n>', 'training steps', '1500')
      .option('--batch <n>', 'sequences per batch', '256')
      .option('--lr <x>', 'Adam learning rate', '0.003')
      .option('--seed <n>', 'random seed', '1')
      .option('--checkpoint <file>', 'checkpoint written during training', 'runs/example.ckpt')
      .option('--checkpoint-every <n>', 'steps between checkpoints', '250')
      .option('--resume', 'continue from --checkpoint')
      .action(
        async (o: {
          steps: string;
          batch: string;
          lr: string;
          seed: string;
          checkpoint: string;
          checkpointEvery: string;
          resume?: boolean;
          backend: string;
        }) => {
          const int = (flag: string, v: string, max = MAX_COUNT): number => integer(flag, v, 1, max);
          const lr = number('--lr', o.lr, { min: 0, above: true });
          mkdirSync(dirname(o.checkpoint), { recursive: true });
          lockOutput(o.checkpoint); // one run at a time per checkpoint
          const r = await runExample({
            steps: int('--steps', o.steps),
            batch: int('--batch', o.batch, MAX_WIDTH),
            lr,
            seed: seed('--seed', o.seed),
            checkpoint: o.checkpoint,
            checkpointEvery: int('--checkpoint-every', o.checkpointEvery),
            resume: o.resume ?? false,
            logEvery: 100,
            log,
            shouldStop,
            backend: o.backend,
          });
          if (r.interrupted) endWith(130);
        },
      ),
    'seqcore example --steps 300',
    'seqcore example --backend webgpu --resume',
  );
}

/** The whole command line; `shouldStop` tells a training loop that Ctrl-C asked it to checkpoint and stop. */
export function buildProgram(shouldStop: () => boolean = () => false): Command {
  const program = new Command('seqcore')
    .description('Train sequence models of user behaviour at workstation speed (Universal Behavioral Profiles, distilled sequential recommenders).')
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({
      helpWidth: 120,
      // "(required)" after the flags a command cannot do without
      optionDescription: (o: Option) => `${Help.prototype.optionDescription.call(new Help(), o)}${o.mandatory ? ' (required)' : ''}`,
      // the command's own flags first, then the shared ones, then --help
      visibleOptions: (c: Command) => {
        const all = Help.prototype.visibleOptions.call(new Help(), c);
        const rank = (o: Option): number => (o.long === '--help' ? 2 : SHARED.includes(o.long ?? '') ? 1 : 0);
        return all
          .map((o, i) => ({ o, i }))
          .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
          .map(({ o }) => o);
      },
    });
  // --threads and --precision take effect before any command runs.
  program.hook('preAction', (_program, command) => applyShared(command.opts()));
  addExampleCommand(program, shouldStop);
  addDataCommand(program);
  addUbpCommand(program, shouldStop);
  addRecCommand(program, shouldStop);
  addProfilesCommand(program);
  addDoctorCommand(program);
  addBuildCommand(program);
  // After a usage error, where the flags are listed.
  for (const c of commandsOf(program)) c.showHelpAfterError(`(${pathOf(c)} --help lists the flags)`);
  return program;
}

/** Runs one command line in this process (the tests' way in): its exit status; usage errors throw. */
export function runCli(argv: string[], shouldStop: () => boolean = () => false): Promise<number> {
  return runProgram(buildProgram(shouldStop), argv);
}

/** `c` and every command below it, depth first. */
export function commandsOf(c: Command): Command[] {
  return [c, ...c.commands.flatMap(commandsOf)];
}

/** "seqcore ubp train" for that command. */
export function pathOf(c: Command): string {
  return c.parent ? `${pathOf(c.parent)} ${c.name()}` : c.name();
}
