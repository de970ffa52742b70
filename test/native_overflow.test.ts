// Every native binding, called with sizes whose products overflow, throws a TypeError that
// names it instead of crashing the process (README: bad arguments give an error, never a
// crash). The calls (test/native_overflow_calls.ts) run in a child process, since one that
// crashed would take the test worker with it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('native size overflow', () => {
  it('every binding throws a TypeError naming it for overflowing sizes', () => {
    const script = fileURLToPath(new URL('./native_overflow_calls.ts', import.meta.url));
    const root = fileURLToPath(new URL('..', import.meta.url));
    // The timeout only stops a call that runs away (a kernel looping over a wrapped size).
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 60_000 });
    const lines = r.stdout.split('\n');
    const done = lines.find((line) => line.startsWith('done '));
    const last = lines.filter((line) => line.startsWith('call ')).at(-1);
    expect(done, `the calls stopped at ${last} (${r.signal ?? `exit code ${r.status}`}) ${r.stderr}`).toBeDefined();
    expect(lines.filter((line) => line.startsWith('bad '))).toEqual([]);
    expect(Number(done!.slice('done '.length))).toBeGreaterThan(1000);
  }, 120_000);
});
