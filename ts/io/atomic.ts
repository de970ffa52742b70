// Outputs that a reader sees whole or not at all, and the leftovers of writers that were killed.
//   One file: the data goes to `${path}.seqcore-tmp-${pid}`, renamed over path (atomic on
//   one filesystem); the temporary file is removed if anything fails, and the error names path.
//   A folder of files that belong together (a submission, generated data, targets): written
//   into the sibling `${dir}.seqcore-tmp-${pid}`, then swapped in by two renames, the old folder
//   aside to `${dir}.seqcore-old-${pid}` and the new one into place, and the old one removed. A reader sees
//   the old set or the new set, never a mix; between the two renames there is no folder, which
//   checkOutputDir reports. (A manifest written last and checked on read was the other way:
//   every reader would have to know of it, also of data that seqcore did not write.)
//   Files that belong together but sit side by side (PREFIX.npy, PREFIX.users.npy): the last
//   is removed first and written after the others, so that a kill leaves a set without it.
// Temporary names say seqcore and end in the writer's pid (temporaryName): a later write into
// the same folder removes those of processes that are gone, and puts back a folder set aside by
// a writer killed between its two renames. A folder with such a name is touched only if it
// holds the output marker (the temporary folder gets it when it is made) or is empty.
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileError, onFile } from './files.js';

/** Written into every folder writeDirAtomic makes; only such a folder, or an empty one, is replaced. */
const OUTPUT_MARKER = '.seqcore-output';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  removeStale(dirname(path));
  const tmp = temporaryName(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* keep the original error */
    }
    throw fileError(path, e);
  }
}

/** The files in order, the last one removed first (see the top of this file). */
export function writeFilesAtomic(files: readonly (readonly [string, string | Uint8Array])[]): void {
  rmSync(files.at(-1)![0], { force: true });
  for (const [path, data] of files) writeFileAtomic(path, data);
}

/** For readers of a set written by writeFilesAtomic: throws, naming the files, unless all are there. */
export function checkFileSet(paths: readonly string[]): void {
  const missing = paths.filter((p) => !existsSync(p));
  if (!missing.length) return;
  if (missing.length === paths.length) throw new Error(`${paths[0]}: no such file`);
  throw new Error(
    `${missing.join(', ')}: missing beside ${paths.filter((p) => !missing.includes(p)).join(', ')}; a write of the set was interrupted: write it again`,
  );
}

/** This process's temporary folders being filled (pids repeat: a leftover may carry ours). */
const filling = new Set<string>();

/**
 * Fills a temporary folder with `fill` and puts it in place of `dir` (see the top of this
 * file); if `fill` fails, `dir` is left as it was.
 */
export function writeDirAtomic<T>(dir: string, fill: (tmp: string) => Promise<T>): Promise<T>;
export function writeDirAtomic<T>(dir: string, fill: (tmp: string) => T): T;
export function writeDirAtomic<T>(dir: string, fill: (tmp: string) => T | Promise<T>): T | Promise<T> {
  dir = resolve(dir); // "out/" would otherwise put the temporary folder inside out
  const tmp = startDir(dir);
  const done = (): void => {
    filling.delete(tmp);
    swapIn(tmp, dir);
  };
  const fail = (e: unknown): never => {
    filling.delete(tmp);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  };
  try {
    const r = fill(tmp);
    if (r instanceof Promise)
      return r
        .then((v) => {
          done();
          return v;
        })
        .catch(fail);
    done();
    return r;
  } catch (e) {
    return fail(e);
  }
}

/** Checks that `dir` may be replaced and makes the empty temporary folder for it. */
function startDir(dir: string): string {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  removeStale(parent);
  // Replacing removes the folder: refuse one that holds files seqcore did not write as an output.
  if (existsSync(dir) && !existsSync(join(dir, OUTPUT_MARKER)) && readdirSync(dir).length)
    throw new Error(
      `${dir}: not empty and not written by seqcore (no ${OUTPUT_MARKER}); ` +
        'an output folder is replaced as a whole, so give a new or empty folder, or remove this one',
    );
  const tmp = temporaryName(dir);
  mkdirSync(tmp);
  // Marked from the start: removeStale removes only marked (or empty) folders.
  try {
    mark(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  filling.add(tmp);
  return tmp;
}

function mark(folder: string): void {
  const marker = join(folder, OUTPUT_MARKER);
  onFile(marker, () => writeFileSync(marker, 'Written by seqcore as one set of files; writing it again replaces the whole folder.\n'));
}

function swapIn(tmp: string, dir: string): void {
  mark(tmp); // again, in case fill removed it
  const old = temporaryName(dir, 'old'),
    had = existsSync(dir);
  if (had) renameSync(dir, old);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    if (had) renameSync(old, dir);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

/**
 * For a command whose output folder (replaced whole by writeDirAtomic) is given beside the
 * folder it reads: throws unless they are apart. `--dir data --out data` would otherwise
 * replace the data with the output once it was read.
 */
export function checkApart(out: string, input: string): void {
  const o = resolve(out),
    i = resolve(input);
  if (i === o || i.startsWith(o + sep))
    throw new Error(`${out}: this output folder is replaced as a whole, which would delete ${input}, read by the same command: give another output folder`);
}

/**
 * For readers of a folder written by writeDirAtomic: throws, naming the folder, when it is not
 * there, and says so when a writer set it aside to replace it.
 */
export function checkOutputDir(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  const aside = existsSync(parent)
    ? readdirSync(parent).find((n) => TEMPORARY.exec(n)?.[1] === basename(dir) && n.includes('.seqcore-old-') && setAside(join(parent, n)))
    : undefined;
  if (!aside) throw new Error(`${dir}: no such folder`);
  throw new Error(
    `${dir}: missing while a write replaces it, or since that write was killed ` +
      `(the previous version is ${join(parent, aside)}, put back by the next write into ${parent})`,
  );
}

/** Whether process `pid` exists (EPERM: it does, under another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The name this process writes `path` under before renaming it into place ('old': sets `path` aside under). */
export function temporaryName(path: string, kind: 'tmp' | 'old' = 'tmp'): string {
  return `${path}.seqcore-${kind}-${process.pid}`;
}

const TEMPORARY = /^(.+)\.seqcore-(tmp|old)-(\d+)$/;

/**
 * Removes the temporary files and folders in `folder` of writers that are gone; a folder set
 * aside by a writer killed between its two renames goes back in place if nothing replaced it.
 * A folder is touched only when seqcore made it (marked, or empty). Best effort: an entry that
 * cannot be removed (another user's, in a shared folder such as /tmp) is left, and the write
 * that called this goes on.
 */
export function removeStale(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return; // no folder, nothing left in it
  }
  for (const name of names) {
    const m = TEMPORARY.exec(name),
      path = join(folder, name);
    if (!m || ((m[2] === 'old' || isFolder(path)) && !setAside(path))) continue;
    const pid = Number(m[3]);
    if (pid === process.pid ? filling.has(path) : pidAlive(pid)) continue;
    const target = join(folder, m[1]!);
    try {
      if (m[2] === 'old' && !existsSync(target)) renameSync(path, target);
      else rmSync(path, { recursive: true, force: true });
    } catch {
      // another process cleaned it first, or it is not ours to remove: leave it
    }
  }
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` can be a folder that writeDirAtomic made or set aside: marked, or empty. */
function setAside(path: string): boolean {
  try {
    return existsSync(join(path, OUTPUT_MARKER)) || readdirSync(path).length === 0;
  } catch {
    return false; // not a folder
  }
}
