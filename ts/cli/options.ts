// What the commands share on top of commander: the flags every computing command takes
// (--threads, --backend, --precision), examples after a command's help, old flag names kept as
// deprecated aliases, and usage errors (exit 2) raised by a command's own checks.
import { availableParallelism } from 'node:os';
import { Command, CommanderError } from 'commander';
import { native } from '../native.js';
import { integer, oneOf } from './flags.js';

/** A usage error found after parsing (a missing flag, two that exclude each other): exit 2, as commander's own. */
export function usageError(message: string): CommanderError {
  return new CommanderError(2, 'seqcore.usage', message);
}

let status = 0;

/** The exit status the command ends with, when not 0 (130: interrupted, its checkpoint saved). */
export function endWith(code: number): void {
  status = code;
}

/** Runs `argv` (no node, no script) on `program`, old flag names resolved: the exit status. */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  status = 0;
  await program.parseAsync(resolveRenamed(program, argv), { from: 'user' });
  return status;
}

/** Examples shown after the command's help, one command line each. */
export function examples(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

/** --threads N: every command that computes takes it. */
export function withThreads(cmd: Command): Command {
  return cmd.option('--threads <n>', 'threads of the cpu kernels (default: every core, or SEQCORE_THREADS)');
}

/** --backend and --precision, for the commands that train or score. */
export function withBackend(cmd: Command): Command {
  return cmd
    .option('--backend <name>', 'where tensors live and kernels run: cpu, webgpu or cuda', 'cpu')
    .option(
      '--precision <p>',
      'what the cuda GEMMs may round fp32 inputs to on tensor cores: fp32 (exact), tf32 or bf16; ' +
        'storage and accumulation stay fp32 (default: fp32, or SEQCORE_CUDA_PRECISION)',
    );
}

/** The flag of a camel-cased option key, as commander names it: 'maxLen' → '--max-len'. */
export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Each command's old flag names and their new ones. */
const RENAMED = new WeakMap<Command, Map<string, string>>();

/** `--old` kept as a deprecated alias of `--now` for one release (resolveRenamed applies it). */
export function renamed(cmd: Command, old: string, now: string): Command {
  if (!RENAMED.has(cmd)) RENAMED.set(cmd, new Map());
  RENAMED.get(cmd)!.set(`--${old}`, `--${now}`);
  return cmd;
}

/**
 * `argv` with the old flag names of the command it runs replaced by the new ones, each with a
 * warning. Done before parsing, so that a renamed flag can stay a required one.
 */
export function resolveRenamed(program: Command, argv: string[]): string[] {
  let cmd = program,
    i = 0;
  for (; i < argv.length; i++) {
    const sub = cmd.commands.find((c) => c.name() === argv[i]);
    if (!sub) break;
    cmd = sub;
  }
  const names = RENAMED.get(cmd);
  if (!names) return argv;
  const end = argv.indexOf('--') < 0 ? argv.length : argv.indexOf('--');
  const given = new Set(argv.slice(i, end).map((a) => a.split('=')[0]!));
  for (const [old, now] of names) if (given.has(old) && given.has(now)) throw usageError(`give ${now}, not both it and ${old} (its old name)`);
  return argv.map((a, k) => {
    const [flag, ...value] = a.split('=');
    const now = k >= i && k < end ? names.get(flag!) : undefined;
    if (!now) return a;
    process.stderr.write(`seqcore: ${flag} is deprecated here: it is now ${now} (the old name goes in the next release)\n`);
    return [now, ...value].join('=');
  });
}

/**
 * The shared flags' effect, before any command runs: --threads (else SEQCORE_THREADS, else
 * every core) sizes the cpu pool; --precision becomes SEQCORE_CUDA_PRECISION, read when the
 * cuda backend starts. The other backends compute in exact fp32 only, so tf32 or bf16 with one
 * of them is an error.
 */
export function applyShared(opts: { threads?: string; precision?: string; backend?: string }): void {
  const given = opts.threads !== undefined;
  const count = given ? opts.threads : process.env.SEQCORE_THREADS;
  const n = count === undefined ? availableParallelism() : integer(given ? '--threads' : 'SEQCORE_THREADS', count, 1, 1024);
  try {
    native.setThreads(n);
  } catch {
    // no cpu addon here: the cpu backend says why when a command uses it
  }
  if (opts.precision === undefined) return;
  const p = oneOf('--precision', opts.precision, ['fp32', 'tf32', 'bf16'] as const);
  const backend = opts.backend ?? 'cpu';
  if (p !== 'fp32' && backend !== 'cuda') throw new Error(`--precision ${p} needs --backend cuda (the ${backend} backend computes in exact fp32 only)`);
  process.env.SEQCORE_CUDA_PRECISION = p;
}
