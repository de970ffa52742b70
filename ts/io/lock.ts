// One writer per output. A command that writes an output (its --out) first takes
// `${out}.lock`, a file holding its pid: a second run with the same --out then fails at once,
// naming the pid, where both would otherwise run to the end and the last writer would win. A
// lock whose process is gone (kill -9, a crash) is taken over. The lock sits beside the
// output, not in it, since a folder output is replaced whole (./atomic.ts). It is released
// when the process exits, after an error or a second Ctrl-C too; a kill leaves it stale.
// The lock is made by linking a complete temporary file to its name (link(2) fails if the name
// exists, as O_EXCL does), so that no one reads it empty. Two runs that find the same stale
// lock at the same instant could both take it over: this check guards against a mistaken
// second run, not against a race of starts.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pidAlive, removeStale, temporaryName } from './atomic.js';
import { fileError } from './files.js';

/** The locks this process holds (a lock with our pid that is not here is a dead process's: pids repeat). */
const held = new Set<string>();

/**
 * Takes the lock of output `out` (a folder, file or prefix) for the rest of this process, or
 * throws naming `out` and the pid that holds it; then removes what dead writers left beside
 * and in it.
 */
export function lockOutput(out: string): void {
  const path = resolve(out),
    lock = `${path}.lock`;
  if (held.has(lock)) return;
  mkdirSync(dirname(path), { recursive: true });
  const mine = temporaryName(lock);
  writeFileSync(mine, `${process.pid}\n`);
  try {
    while (!link(mine, lock)) {
      const pid = holder(lock);
      if (pid === '') throw new Error(`${out}: another seqcore run is taking its lock ${lock} at this instant`);
      if (pid !== null && pid !== process.pid && pidAlive(pid))
        throw new Error(`${out}: another seqcore run (pid ${pid}) is writing it; wait for it to end, or remove ${lock} if pid ${pid} is not seqcore`);
      if (pid !== null) rmSync(lock, { force: true }); // its process is gone
    }
  } finally {
    rmSync(mine, { force: true });
  }
  if (!held.size) process.on('exit', release);
  held.add(lock);
  removeStale(dirname(path));
  removeStale(path);
}

function link(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw fileError(to, e);
  }
  // No hard links here (exFAT, some SMB mounts): O_EXCL, whose file is empty for an instant.
  try {
    writeFileSync(to, readFileSync(from), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileError(to, e);
  }
}

/** The pid in a lock file (NaN if unreadable: stale; '' while the O_EXCL fallback writes it), or null when it is gone. */
function holder(lock: string): number | '' | null {
  try {
    const text = readFileSync(lock, 'utf8');
    return text === '' ? '' : Number.parseInt(text, 10);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function release(): void {
  for (const lock of held) rmSync(lock, { force: true });
  held.clear();
}
