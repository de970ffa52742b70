// File I/O whose errors name the file. Node names the path only in errors of calls that take
// one (open, mkdir, rename); a read or write on a descriptor says only "EISDIR: illegal
// operation on a directory, read" (readFileSync of a folder) or "ENOSPC: no space left on
// device, write" (a full disk). Every read and write of a file seqcore is given or writes goes
// through onFile (or fileError in a catch), which rethrows Node's errors as `${path}: CODE: …`.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Node's error `e` as one that starts with `path`; any other error unchanged. */
export function fileError(path: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  // Node's system errors carry the failed call (syscall); seqcore's own errors, which name
  // their file already, do not.
  if (!(err instanceof Error) || typeof err.code !== 'string' || !err.syscall) return e;
  // "ENOENT: no such file or directory, open 'x'" → "no such file or directory"
  const what = err.message.replace(`${err.code}: `, '').split(`, ${err.syscall}`)[0];
  const other = err.path && err.path !== path ? ` (${err.syscall} '${err.path}')` : '';
  return Object.assign(new Error(`${path}: ${err.code}: ${what}${other}`, { cause: e }), { code: err.code });
}

/** Runs `io` on `path`; its errors name the path. */
export function onFile<T>(path: string, io: () => T): T {
  try {
    return io();
  } catch (e) {
    throw fileError(path, e);
  }
}

export function readBytes(path: string): Buffer {
  return onFile(path, () => readFileSync(path));
}

export function readText(path: string): string {
  return onFile(path, () => readFileSync(path, 'utf8'));
}

/** The lines of a text file: '\r\n', '\n' and a lone '\r' (old Mac files) all end one. */
export const textLines = (text: string): string[] => text.split(/\r\n|\r|\n/);

/** seqcore's folder in the user's cache (~/.cache/seqcore): datasets (SEQCORE_DATA) and tuned kernels (SEQCORE_CACHE) default to it. */
export const userCacheHome = (): string => join(homedir(), '.cache', 'seqcore');

/** A JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON file's value; an error naming the file when it is not valid JSON. */
export function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}
