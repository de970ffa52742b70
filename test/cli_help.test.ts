// Every command and subcommand answers --help (and -h) with its usage and exit 0; a flag a
// command does not take is a usage error: exit 2, naming the flag.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', ...args], { encoding: 'utf8' });
const top = cli('--help');
// "seqcore <command> [<subcommand>]" of every usage line
const commands = [
  ...new Set([...top.stdout.matchAll(/^(?:usage:)?\s+seqcore (\w[\w-]*)(?: ([a-z][\w-]*))?/gm)].map((m) => [m[1], m[2]].filter(Boolean).join(' '))),
];

describe('seqcore --help', () => {
  it('docs/cli.md is this output (scripts/cli-doc.sh regenerates it)', () => {
    expect(readFileSync('docs/cli.md', 'utf8')).toContain(`\`\`\`\n${top.stdout}\`\`\``);
  });

  it('prints every command, exit 0 (also -h and help)', () => {
    expect(top.status).toBe(0);
    expect(commands).toEqual(expect.arrayContaining(['example', 'data generate', 'ubp run', 'ubp eval', 'rec train', 'profiles embed', 'doctor', 'build']));
    for (const flag of ['-h', 'help']) expect(cli(flag).stdout).toBe(top.stdout);
  });

  for (const command of commands)
    it(`seqcore ${command} --help: its usage, exit 0`, () => {
      const words = command.split(' ');
      const r = cli(...words, words.length > 1 ? '-h' : '--help');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^\\s+seqcore ${command}\\b`, 'm'));
      // a subcommand's help shows that subcommand alone
      if (words.length > 1)
        for (const other of commands.filter((c) => c.startsWith(`${words[0]} `) && c !== command)) expect(r.stdout).not.toContain(`seqcore ${other} `);
    }, 30_000);

  for (const command of [...new Set(commands.map((c) => c.split(' ')[0]!))])
    it(`seqcore ${command} with an unknown flag: exit 2, naming it`, () => {
      const first = commands.find((c) => c.split(' ')[0] === command)!.split(' ');
      const r = cli(...first, '--no-such-flag');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain("Unknown option '--no-such-flag'");
    }, 30_000);
});

describe('flags a command does not take', () => {
  it("a ubp subcommand refuses another one's flag (ubp run trains on the cpu: --backend would be ignored)", () => {
    const r = cli('ubp', 'run', '--out', 'nowhere', '--backend', 'cuda');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('ubp run does not take --backend');
    expect(r.stderr).toContain('(seqcore ubp run --help lists the flags)');
  }, 30_000);
});

describe('--threads on every command', () => {
  const threads = (args: string[], env: Record<string, string> = {}): number => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', 'doctor', '--json', ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { cpu: { threads: number } }).cpu.threads;
  };
  it('default: every core (the pool holds at most 64); SEQCORE_THREADS; --threads wins', () => {
    expect(threads([])).toBe(Math.min(64, availableParallelism()));
    expect(threads([], { SEQCORE_THREADS: '1' })).toBe(1);
    expect(threads(['--threads', '3'], { SEQCORE_THREADS: '1' })).toBe(3);
    expect(threads(['--threads=2'])).toBe(2);
  }, 60_000);
  it('a bad or missing count names the flag', () => {
    const r = cli('doctor', '--threads', '0');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--threads');
    const none = cli('doctor', '--threads');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('--threads needs a count');
  }, 30_000);
});
