// Autotuning the webgpu GEMM's tile shape per adapter: for each product size of a grid, every
// tile of GEMM_TILES is first checked against the cpu backend, then timed (a batch of
// dispatches, waited for, best of three batches); the fastest is kept. The results are cached
// on disk per adapter (SEQCORE_CACHE, default ~/.cache/seqcore, file webgpu-gemm-tiles.json,
// written atomically after each size, so an interrupted tune keeps what it measured; a size
// tuned again replaces its entry, the others stay) and loaded when the backend starts; a
// product takes the tile of the tuned size nearest to it (gemm.ts). The key is the adapter's
// name, not its driver's version: tiles tuned before a driver update stay correct, if perhaps
// no longer the fastest (tune again). `seqcore doctor --tune` runs it.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { isObject, readJson, userCacheHome } from '../../io/files.js';
import { kernel } from '../registry.js';
import { Rng } from '../../rng.js';
import { tensor, type Tensor } from '../../tensor.js';
import type { WebGpuBackend } from './backend.js';
import { GEMM_TILES, useGemmTile, useTunedGemmTiles, type GemmTile, type TunedTile } from './gemm.js';

/** The cache's layout version: a file of another version is not read (its tiles may not exist any more). */
const VERSION = 1;

/** The sizes tuned by default: M, N and K each 256, 1024 or 4096 (27 products; a product takes the nearest). */
export const TUNE_SIZES = [256, 1024, 4096];

/** Every product M×N×K with M, N and K each one of `sizes`. */
export const tuneShapes = (sizes: readonly number[] = TUNE_SIZES): { M: number; N: number; K: number }[] =>
  sizes.flatMap((M) => sizes.flatMap((N) => sizes.map((K) => ({ M, N, K }))));

export const gemmTileCache = (): string => join(process.env.SEQCORE_CACHE ?? userCacheHome(), 'webgpu-gemm-tiles.json');

export interface TunedEntry extends TunedTile {
  /** Milliseconds per product of each tile of GEMM_TILES, in that order. */
  ms: number[];
}

interface CacheFile {
  version: number;
  /** By adapter (WebGpuBackend.description); other adapters' as read. */
  adapters: Record<string, unknown>;
}

const tileName = (t: GemmTile): string => `${t.BM}×${t.BN}/${t.TM}×${t.TN}`;

const cacheError = (file: string, what: string): Error => new Error(`${file}: ${what} (delete the file, or rerun 'seqcore doctor --tune')`);

/** The cache file's adapters (null when there is no file); a file that is not a cache of this version throws, naming it and what is wrong. */
function readCache(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  const j = readJson(file);
  if (!isObject(j) || !isObject(j.adapters)) throw cacheError(file, 'not a webgpu GEMM tile cache');
  if (j.version !== VERSION) throw cacheError(file, `layout version ${String(j.version)}, this seqcore reads ${VERSION}`);
  return j.adapters;
}

/**
 * The cache's entries for `adapter`, checked: null when the file, or this adapter in it, is
 * absent. A file that is not a cache of this version throws, naming the file and what is wrong.
 */
export function readTunedTiles(adapter: string, file = gemmTileCache()): TunedEntry[] | null {
  return entriesOf(readCache(file), adapter, file);
}

/** `adapter`'s entries among the cache's `adapters`, checked (null when absent). */
function entriesOf(adapters: Record<string, unknown> | null, adapter: string, file: string): TunedEntry[] | null {
  const bad = (what: string): Error => cacheError(file, what);
  const a = adapters?.[adapter];
  if (a === undefined) return null;
  if (!isObject(a) || !Array.isArray(a.entries)) throw bad(`adapter '${adapter}': expected {tuned, entries}`);
  return a.entries.map((e: unknown, i) => {
    const ok = isObject(e) && ['M', 'N', 'K'].every((k) => Number.isInteger(e[k]) && (e[k] as number) > 0) && isObject(e.tile);
    const tile = ok ? GEMM_TILES.find((t) => (['BM', 'BN', 'TM', 'TN'] as const).every((k) => (e.tile as Record<string, unknown>)[k] === t[k])) : undefined;
    if (!ok || !tile) throw bad(`adapter '${adapter}', entry ${i}: expected {M, N, K, tile} with one of the tiles ${GEMM_TILES.map(tileName).join(', ')}`);
    return { M: e.M as number, N: e.N as number, K: e.K as number, tile, ms: Array.isArray(e.ms) ? (e.ms as number[]) : [] };
  });
}

/**
 * Loads `be`'s tuned tiles from the cache when there are any (what the backend does at start);
 * a cache that cannot be read is reported through `warn` and the workgroup-count rule is kept.
 */
export function loadTunedTiles(be: WebGpuBackend, warn: (line: string) => void = (l) => process.emitWarning(l)): number {
  try {
    const entries = readTunedTiles(be.description) ?? [];
    useTunedGemmTiles(entries);
    return entries.length;
  } catch (e) {
    warn(`webgpu GEMM tiles: ${(e as Error).message}; choosing tiles by workgroup count`);
    useTunedGemmTiles([]);
    return 0;
  }
}

export interface TuneOptions {
  /** Products to tune (default: every M, N, K of TUNE_SIZES). */
  shapes?: { M: number; N: number; K: number }[];
  /** Products per timed batch (default 3); the best of three batches counts. */
  repeats?: number;
  /** The cache written (default gemmTileCache()). */
  file?: string;
  log?: (line: string) => void;
}

/** Waits for everything submitted and returns the milliseconds `run` took, per product. */
async function timed(be: WebGpuBackend, repeats: number, run: () => void): Promise<number> {
  await be.sync();
  const t0 = performance.now();
  for (let r = 0; r < repeats; r++) run();
  await be.sync();
  return (performance.now() - t0) / repeats;
}

/**
 * Adds `entries` to `be`'s in the cache (an entry of the same size replaced; other adapters'
 * kept; a cache that cannot be read replaced) and returns all of `be`'s.
 */
function save(be: WebGpuBackend, file: string, entries: readonly TunedEntry[]): TunedEntry[] {
  let adapters: Record<string, unknown> = {};
  try {
    adapters = readCache(file) ?? {};
  } catch {
    // a cache that cannot be read is replaced
  }
  let mine: TunedEntry[] = [];
  try {
    mine = entriesOf(adapters, be.description, file) ?? [];
  } catch {
    // this adapter's entries cannot be read: replaced
  }
  const same = (a: TunedEntry, b: TunedEntry): boolean => a.M === b.M && a.N === b.N && a.K === b.K;
  const all = [...mine.filter((m) => !entries.some((e) => same(e, m))), ...entries];
  const cache: CacheFile = { version: VERSION, adapters: { ...adapters, [be.description]: { tuned: new Date().toISOString(), entries: all } } };
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(cache, null, 1)}\n`);
  return all;
}

/** Tunes `be`'s GEMM tiles, adds them to the cache after each size, and uses every tuned tile of `be`; returns the ones measured now. */
export async function tuneGemm(be: WebGpuBackend, o: TuneOptions = {}): Promise<TunedEntry[]> {
  const shapes = o.shapes ?? tuneShapes();
  const repeats = o.repeats ?? 3;
  const file = o.file ?? gemmTileCache();
  const rng = new Rng(1);
  const gemm = { transA: false, transB: false, alpha: 1, beta: 0 };
  const entries: TunedEntry[] = [];
  const forced = useGemmTile(null);
  try {
    for (const { M, N, K } of shapes) {
      const a = Float32Array.from({ length: M * K }, () => rng.uniform() * 2 - 1),
        b = Float32Array.from({ length: K * N }, () => rng.uniform() * 2 - 1);
      const ref = tensor(new Float32Array(M * N), [M, N], { backend: 'cpu' });
      kernel('gemm', 'cpu')(tensor(a, [M, K], { backend: 'cpu' }), tensor(b, [K, N], { backend: 'cpu' }), ref, gemm);
      const want = ref.toArray() as Float32Array;
      const ga = tensor(a, [M, K], { backend: 'webgpu' }),
        gb = tensor(b, [K, N], { backend: 'webgpu' }),
        gc = tensor(new Float32Array(M * N), [M, N], { backend: 'webgpu' });
      const run = (): void => kernel('gemm', 'webgpu')(ga, gb, gc, gemm);
      const ms: number[] = [];
      try {
        for (const tile of GEMM_TILES) {
          useGemmTile(tile);
          run(); // validate, then time
          const got = (await gc.data()) as Float32Array;
          // A wrong tile is off by O(1); rounding in a K-long float32 sum is off by about √K·ε·|c|.
          const k = want.findIndex((w, i) => !(Math.abs(got[i]! - w) <= 1e-4 * Math.sqrt(K) * (1 + Math.abs(w))));
          if (k >= 0) throw new Error(`webgpu GEMM tile ${tileName(tile)} at ${M}×${N}×${K}: element ${k} is ${got[k]}, the cpu gives ${want[k]}`);
          ms.push(Math.min(await timed(be, repeats, run), await timed(be, repeats, run), await timed(be, repeats, run)));
        }
      } finally {
        for (const t of [ref, ga, gb, gc] as Tensor[]) t.dispose();
      }
      const best = ms.indexOf(Math.min(...ms));
      entries.push({ M, N, K, tile: GEMM_TILES[best]!, ms });
      useTunedGemmTiles(save(be, file, entries));
      const gflops = (2 * M * N * K) / ms[best]! / 1e6;
      const each = GEMM_TILES.map((t, i) => `${tileName(t)} ${ms[i]!.toFixed(3)} ms`).join(', ');
      o.log?.(`${M}×${N}×${K}: ${each} → ${tileName(GEMM_TILES[best]!)} (${gflops.toFixed(1)} GFLOP/s)`);
    }
  } finally {
    useGemmTile(forced);
  }
  return entries;
}
