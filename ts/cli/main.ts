#!/usr/bin/env node
// seqcore command line: `seqcore example` trains the bundled example model; `seqcore data`
// generates, ingests and builds targets for challenge-format data; `seqcore doctor` reports
// what this machine offers each backend.
import { parseArgs } from 'node:util';
import { runExample } from '../train/example.js';
import { dataCommand, DATA_USAGE } from './data.js';
import { ubpCommand, UBP_USAGE } from './ubp.js';
import { recCommand, REC_USAGE } from './rec.js';
import { profilesCommand, PROFILES_USAGE } from './profiles.js';
import { doctorCommand, DOCTOR_USAGE } from './doctor.js';
import { buildCommand, BUILD_USAGE } from './build.js';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { native } from '../native.js';
import { join } from 'node:path';
import { packageRoot } from '../addon_path.js';
import { lockOutput } from '../data/lock.js';
import { integer, MAX_COUNT, MAX_WIDTH, number, oneOf, seed } from './flags.js';
import { checkpointingNow } from '../train/interrupt.js';
import '../index.js';

const USAGE = `usage: seqcore example [--steps N] [--batch N] [--lr X] [--seed N] [--backend cpu|webgpu|cuda]
                       [--checkpoint FILE] [--checkpoint-every N] [--resume]
${DATA_USAGE}
${UBP_USAGE}
${REC_USAGE}
${PROFILES_USAGE}
${DOCTOR_USAGE}
${BUILD_USAGE}
       seqcore --version
every command that computes takes --threads N: the cpu kernels' threads (default: every core, or SEQCORE_THREADS)
every command that trains or scores also takes --precision fp32|tf32|bf16: what the GEMMs of --backend cuda
may round their fp32 inputs to on tensor cores (default fp32: nothing, exact; storage and accumulation stay fp32)`;

/** The flags every command takes, read here before the command parses its own. */
const SHARED = /^--(threads|precision|backend)$/;

/**
 * `--name VALUE` taken out of any command's arguments: whether it was given, its value (the
 * next argument, if any), and the arguments without the two.
 */
function takeFlag(args: string[], name: string): { given: boolean; value: string | undefined; rest: string[] } {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return { given: false, value: undefined, rest: args };
  return { given: true, value: args[at + 1], rest: [...args.slice(0, at), ...args.slice(at + 2)] };
}

/**
 * `--precision fp32|tf32|bf16`, taken from any command's arguments (as --backend reaches every
 * command): the cuda backend's GEMM precision (SEQCORE_CUDA_PRECISION, read when it starts).
 * The other backends compute in exact fp32 only, so tf32 or bf16 with one of them is an error.
 */
function takePrecision(args: string[]): string[] {
  const { given, value, rest } = takeFlag(args, 'precision');
  if (!given) return args;
  const p = oneOf('--precision', value, ['fp32', 'tf32', 'bf16'] as const);
  const b = args.indexOf('--backend'); // left in place: the command reads it
  const backend = b < 0 ? 'cpu' : args[b + 1];
  if (p !== 'fp32' && backend !== 'cuda') throw new Error(`--precision ${p} needs --backend cuda (the ${backend} backend computes in exact fp32 only)`);
  process.env.SEQCORE_CUDA_PRECISION = p;
  return rest;
}

const HELP = new Set(['--help', '-h']);

/**
 * The usage of `cmd` from USAGE: its lines (those of subcommand `sub` alone, when it names
 * one), each with the more indented lines that continue it, and the notes on the whole command
 * (lines at the commands' own indent that name no subcommand); then the footer; null for no
 * command.
 */
export function usageOf(cmd: string, sub?: string): string | null {
  const lines = USAGE.replace(/^usage: /, '       ').split('\n');
  const heads = lines.map((l) => /^\s+seqcore (\S+)(?: (\S+))?/.exec(l));
  const subs = new Set(heads.filter((m) => m?.[1] === cmd).map((m) => m![2]));
  const only = sub !== undefined && subs.has(sub) ? sub : undefined;
  const picked: string[] = [];
  let on = false,
    current = '';
  lines.forEach((l, i) => {
    const m = heads[i];
    if (m) {
      current = m[1]!;
      on = m[1] === cmd && (only === undefined || m[2] === only);
    } else if (!/^\s/.test(l))
      on = false; // the footer, added once below
    else if (/^ {7}\S/.test(l)) on = current === cmd; // a note on the whole command
    if (on) picked.push(l);
  });
  if (!picked.length) return null;
  return `usage:\n${picked.join('\n')}\n${lines.filter((l) => !/^\s/.test(l)).join('\n')}`;
}

/**
 * `--threads N`, taken from any command's arguments (as --precision), else SEQCORE_THREADS,
 * else every core: the cpu kernels' thread count for the whole command.
 */
function takeThreads(args: string[]): string[] {
  const { given, value, rest } = takeFlag(args, 'threads');
  if (given && (value === undefined || value.startsWith('-')))
    throw Object.assign(new Error('--threads needs a count'), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
  const count = given ? value : process.env.SEQCORE_THREADS;
  const n = count === undefined ? availableParallelism() : integer(given ? '--threads' : 'SEQCORE_THREADS', count, 1, 1024);
  try {
    native.setThreads(n);
  } catch {
    // no cpu addon here: the cpu backend says why when a command uses it
  }
  return rest;
}

/** The command being run ("ubp train"), for the hint after a usage error. */
let command = '';

async function main(argv: string[]): Promise<number> {
  // --threads=4 as --threads 4 (the flags taken before any command parses its own)
  argv = argv.flatMap((a) => (SHARED.test(a.split('=')[0]!) && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  const words = argv.filter((a, i) => !a.startsWith('-') && !(i > 0 && SHARED.test(argv[i - 1]!)));
  command = words.slice(0, 2).join(' ');
  // Help first: it needs no valid --threads or --precision.
  if (argv[0] !== undefined && (HELP.has(argv[0]) || argv[0] === 'help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (words[0] !== undefined && argv.some((a) => HELP.has(a))) {
    const usage = usageOf(words[0], words[1]);
    if (usage) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
  }
  const [cmd, ...rest] = takeThreads(takePrecision(argv));
  const stop = onInterrupt();
  if (cmd === 'data') return dataCommand(rest);
  if (cmd === 'ubp') return ubpCommand(rest, stop);
  if (cmd === 'rec') return recCommand(rest, stop);
  if (cmd === 'profiles') return profilesCommand(rest);
  if (cmd === 'doctor') return doctorCommand(rest);
  if (cmd === 'build') return buildCommand(rest);
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    process.stdout.write(`${(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    return 0;
  }
  if (cmd !== 'example') {
    process.stderr.write(`${cmd ? `unknown command '${cmd}'\n` : ''}${USAGE}\n`);
    return cmd ? 2 : 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      steps: { type: 'string', default: '1500' },
      batch: { type: 'string', default: '256' },
      lr: { type: 'string', default: '0.003' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string' },
      checkpoint: { type: 'string', default: 'runs/example.ckpt' },
      'checkpoint-every': { type: 'string', default: '250' },
      resume: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, v: string | undefined, max = MAX_COUNT): number => integer(`--${name}`, v, 1, max);
  const lr = number('--lr', values.lr, { min: 0, above: true });
  const { mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  if (values.checkpoint) mkdirSync(dirname(values.checkpoint), { recursive: true });
  if (values.checkpoint) lockOutput(values.checkpoint); // one run at a time per checkpoint
  const r = await runExample({
    steps: int('steps', values.steps),
    batch: int('batch', values.batch, MAX_WIDTH),
    lr,
    seed: seed('--seed', values.seed),
    checkpoint: values.checkpoint,
    checkpointEvery: int('checkpoint-every', values['checkpoint-every']),
    resume: values.resume!,
    logEvery: 100,
    log: (l) => process.stdout.write(`${l}\n`),
    shouldStop: stop,
    backend: values.backend,
  });
  return r.interrupted ? 130 : 0;
}

/**
 * Ctrl-C asks a running training loop to checkpoint and stop; a second Ctrl-C, or one while no
 * loop runs (nothing to save: outputs are written whole), quits at once (exit handlers release
 * the output lock).
 */
function onInterrupt(): () => boolean {
  let stop = false;
  process.on('SIGINT', () => {
    if (stop || !checkpointingNow()) {
      process.stderr.write('\ninterrupted\n');
      process.exit(130);
    }
    stop = true;
    process.stderr.write('\ninterrupt: finishing this step and saving a checkpoint (Ctrl-C again to quit now)\n');
  });
  return () => stop;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`seqcore: ${e instanceof Error ? e.message : String(e)}\n`);
    // A flag the command does not take, or a value where none goes: a usage error.
    if (String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(`(seqcore ${command} --help lists the flags)\n`);
      process.exit(2);
    }
    process.exit(1);
  },
);
