// Every command and subcommand answers --help (and -h) with its usage, every flag described,
// and exit 0; a flag a command does not take is a usage error: exit 2, naming the flag. Old
// flag names still work for one release, with a warning.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandsOf, pathOf } from '../ts/cli/program.js';
import { cliReference } from '../ts/cli/reference.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', ...args], { encoding: 'utf8' });
const program = buildProgram();
const commands = commandsOf(program).filter((c) => c.name() !== 'help');
/** Commands that run something (no subcommands of their own). */
const leaves = commands.filter((c) => !c.commands.length);

describe('seqcore --help', () => {
  it('docs/cli.md is the help of every command (scripts/cli-doc.sh regenerates it)', () => {
    expect(readFileSync('docs/cli.md', 'utf8')).toBe(cliReference());
  });

  it('lists every command, exit 0 (also -h and help); --version prints the version', () => {
    const top = cli('--help');
    expect(top.status).toBe(0);
    for (const c of program.commands) expect(top.stdout).toContain(`  ${c.name()}`);
    for (const flag of ['-h', 'help']) expect(cli(flag).stdout).toBe(top.stdout);
    expect(cli('--version').stdout.trim()).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  }, 30_000);

  it('every flag of every command has a description, and every command that runs shows an example', () => {
    for (const c of commands) {
      expect(c.description(), pathOf(c)).not.toBe('');
      for (const o of c.options) if (!o.hidden) expect(o.description, `${pathOf(c)} ${o.flags}`).toMatch(/\w{3}/);
    }
    const reference = cliReference();
    for (const c of leaves) expect(reference.split(`## ${pathOf(c)}\n`)[1]!.split('## ')[0], pathOf(c)).toMatch(/Examples?:\n {2}\$ .*seqcore /);
  });

  for (const c of commands.filter((c) => c.parent))
    it(`${pathOf(c)} --help: its flags, exit 0`, () => {
      const words = pathOf(c).split(' ').slice(1);
      const r = cli(...words, words.length > 1 ? '-h' : '--help');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Usage: ${pathOf(c)} [options]`);
      for (const o of c.options) if (!o.hidden) expect(r.stdout).toContain(o.flags);
    }, 30_000);

  for (const leaf of leaves)
    it(`${pathOf(leaf)} with an unknown flag: exit 2, naming it`, () => {
      // its required flags given, which commander checks first
      const required = leaf.options.filter((o) => o.mandatory).flatMap((o) => [o.long!, 'x']);
      const r = cli(...pathOf(leaf).split(' ').slice(1), ...required, '--no-such-flag');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain("unknown option '--no-such-flag'");
      expect(r.stderr).toContain(`(${pathOf(leaf)} --help lists the flags)`);
    }, 30_000);
});

describe('flags a command does not take, and old names', () => {
  it("a ubp subcommand refuses another one's flag (ubp run trains on the cpu: --backend would be ignored)", () => {
    const r = cli('ubp', 'run', '--out', 'nowhere', '--backend', 'cuda');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option '--backend'");
  }, 30_000);

  it('one meaning per flag: the old names (--data, --model, --profile) still work, with a warning', () => {
    const r = cli('ubp', 'embed', '--data', '/nonexistent/events', '--model', 'm.ckpt', '--out', '/nonexistent/out');
    expect(r.stderr).toContain('--data is deprecated here: it is now --events');
    expect(r.stderr).toContain('--model is deprecated here: it is now --checkpoint');
    expect(r.stderr).toContain('/nonexistent/events');
    expect(r.status).toBe(1);
    const both = cli('rec', 'train', '--data', 'a.txt', '--sequences', 'b.txt', '--out', '/nonexistent/out');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('give --sequences, not both it and --data (its old name)');
  }, 30_000);

  it('ubp train --preset is read, and a setting given both in --config and as a flag is a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqcore-cli-'));
    const config = join(dir, 'ae.json');
    writeFileSync(config, JSON.stringify({ preset: 'small', epochs: 2 }));
    const train = (...args: string[]) => cli('ubp', 'train', '--events', join(dir, 'none'), '--out', join(dir, 'out'), ...args);
    const both = train('--config', config, '--preset', 'wide');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain(`${config} sets "preset" and so does --preset: give it in one place`);
    expect(train('--config', config, '--epochs', '3').stderr).toContain(`${config} sets "epochs" and so does --epochs`);
    const bad = train('--preset', 'huge');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--preset must be one of wide, dayEvent, small, got 'huge'");
  }, 30_000);

  it('a required flag missing is a usage error naming it', () => {
    const r = cli('ubp', 'train', '--out', '/nonexistent/out');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("required option '--events <file>' not specified");
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
    expect(none.stderr).toContain("option '--threads <n>' argument missing");
  }, 30_000);
});
