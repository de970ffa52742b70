// Where seqcore's native addons are found, in this order:
//   1. the file an environment variable names (SEQCORE_NATIVE_ADDON, SEQCORE_CUDA_ADDON);
//   2. build/Release in the package root: a clone after `npm install`, or a source build
//      (`npx seqcore build`);
//   3. the prebuilt platform package, @seqcore/<platform> (e.g. @seqcore/linux-x64-gnu, and
//      @seqcore/linux-x64-gnu-cuda for the CUDA addon), which npm installs with seqcore as an
//      optional dependency when its os, cpu and libc match this machine.
// Nothing is compiled on install: a platform without a prebuilt package gets an error saying
// which package it looked for and how to build from source.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this file runs from ts/ (tests, tsx) or dist/ (compiled), one level down. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * This machine's platform tag, as the platform packages are named: `${platform}-${arch}`, with
 * the C library on Linux (gnu or musl) and the ABI on Windows (msvc).
 */
export function platformTag(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === 'win32') return `${base}-msvc`;
  if (process.platform !== 'linux') return base;
  // glibc reports its version here; musl (Alpine) does not.
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return `${base}-${header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}

export type AddonLookup = { path: string } | { error: string };

/**
 * The addon `file` (seqcore.node or seqcore_cuda.node): from `envVar`, a local build, or the
 * platform package `@seqcore/<tag><suffix>`; else an error naming every place looked.
 */
export function findAddonFile(file: string, envVar: string, suffix = ''): AddonLookup {
  const given = process.env[envVar];
  if (given) return existsSync(given) ? { path: given } : { error: `${envVar}=${given}: no such file` };
  const local = join(packageRoot, 'build', 'Release', file);
  if (existsSync(local)) return { path: local };
  const pkg = `@seqcore/${platformTag()}${suffix}`;
  try {
    const path = join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), file);
    if (existsSync(path)) return { path };
  } catch {
    // not installed: the error below says what to do
  }
  return {
    error:
      `no ${file} for ${platformTag()}: looked in ${local} and the package ${pkg}, which npm installs with seqcore ` +
      `where a prebuilt one exists (not with --omit=optional). Elsewhere build it from source: npx seqcore build ` +
      `(needs CMake and a C++17 compiler${suffix === '-cuda' ? ', and nvcc for the CUDA addon' : ''})`,
  };
}
