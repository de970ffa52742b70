// The profile pipeline: text profiles from a chat endpoint (`seqcore profiles generate`),
// their vectors from an embeddings endpoint reduced by PCA (`profiles embed`), or offline
// attribute profiles (`profiles offline`); every result is a `PREFIX.npy` (float32 users×dim)
// beside `PREFIX.users.npy` (int64 user ids), written atomically.
import { readText } from '../io/files.js';
import { checkFileSet, writeFileAtomic, writeFilesAtomic } from '../io/atomic.js';
import { applyPca, fitPca } from '../linalg/pca.js';
import { readFloats, readInt64, uniqueIndex } from '../data/inputs.js';
import { encodeNpy } from '../io/npy.js';
import type { ProfileTable } from '../rec/distill.js';
import { fmtTime } from '../train/progress.js';
import { DiskCache, cacheKey } from './cache.js';
import { chat, embed, mapLimit, type EndpointConfig } from './client.js';
import { mergePrompt, profilePrompt, splitHistory, type ItemText } from './prompt.js';

export interface GenerateOptions {
  users: readonly number[];
  /** Each user's training history (never the evaluation items). */
  histories: readonly Int32Array[];
  items: ItemText;
  endpoint: EndpointConfig;
  concurrency: number;
  /** Histories longer than this are profiled in parts, then merged. */
  chunk: number;
  maxTokens: number;
  cachePath: string;
  log?: (line: string) => void;
}

export interface PipelineStats {
  requests: number;
  cached: number;
}

/** A text profile per user (same order); every finished request is cached at once. */
export async function generateProfiles(o: GenerateOptions): Promise<{ profiles: string[] } & PipelineStats> {
  const cache = new DiskCache<string>(o.cachePath),
    stats = { requests: 0, cached: 0 };
  const ask = async (user: number, prompt: string): Promise<string> => {
    const key = cacheKey('profile', String(user), o.endpoint.model, prompt);
    const hit = cache.get(key);
    if (hit !== undefined) {
      stats.cached++;
      return hit;
    }
    stats.requests++;
    let text: string;
    try {
      text = await chat(o.endpoint, prompt, o.maxTokens);
    } catch (e) {
      throw new Error(`user ${user}: ${(e as Error).message} (${cache.size} finished requests are kept in ${o.cachePath}; rerun to resume)`, { cause: e });
    }
    cache.set(key, text);
    return text;
  };
  const t0 = performance.now();
  let done = 0;
  const profiles = await mapLimit(o.users, o.concurrency, async (user, i) => {
    const h = o.histories[i]!;
    let text: string;
    if (h.length <= o.chunk) text = await ask(user, profilePrompt(h, o.items));
    else {
      const parts = splitHistory(h, o.chunk);
      const texts = await Promise.all(parts.map((p, k) => ask(user, profilePrompt(p, o.items, { index: k + 1, of: parts.length }))));
      text = await ask(user, mergePrompt(texts));
    }
    if (++done % 100 === 0 || done === o.users.length) {
      const secs = (performance.now() - t0) / 1000;
      o.log?.(
        `profiles ${done}/${o.users.length}  requests ${stats.requests}  cached ${stats.cached}  ` +
          `${(done / secs).toFixed(1)} users/s  left ${fmtTime(((o.users.length - done) * secs) / done)}`,
      );
    }
    return text;
  });
  return { profiles, ...stats };
}

export interface EmbedOptions {
  texts: readonly string[];
  endpoint: EndpointConfig;
  concurrency: number;
  /** Texts per request. */
  batch: number;
  cachePath: string;
  log?: (line: string) => void;
}

/** One vector per text (n×D, row-major); cached per text and model. */
export async function embedTexts(o: EmbedOptions): Promise<{ vectors: Float32Array; dim: number } & PipelineStats> {
  if (!o.texts.length) throw new Error('embedTexts: no texts to embed');
  const cache = new DiskCache<number[]>(o.cachePath),
    stats = { requests: 0, cached: 0 };
  const keys = o.texts.map((t) => cacheKey('embedding', o.endpoint.model, t));
  const missing = [...new Set(keys.filter((k) => cache.get(k) === undefined))];
  const todo = new Set(missing);
  stats.cached = keys.filter((k) => !todo.has(k)).length;
  const firstOf = new Map(keys.map((k, i) => [k, i] as const));
  const batches: string[][] = [];
  for (let s = 0; s < missing.length; s += o.batch) batches.push(missing.slice(s, s + o.batch));
  await mapLimit(batches, o.concurrency, async (ks) => {
    stats.requests++;
    let vs: number[][];
    try {
      vs = await embed(
        o.endpoint,
        ks.map((k) => o.texts[firstOf.get(k)!]!),
      );
    } catch (e) {
      const which = ks.map((k) => firstOf.get(k)!).join(', ');
      throw new Error(`texts ${which}: ${(e as Error).message} (${cache.size} finished embeddings are kept in ${o.cachePath}; rerun to resume)`, { cause: e });
    }
    ks.forEach((k, j) => cache.set(k, vs[j]!));
    o.log?.(`embeddings ${cache.size}/${new Set(keys).size}`);
  });
  const dim = cache.get(keys[0]!)!.length,
    vectors = new Float32Array(keys.length * dim);
  keys.forEach((k, i) => {
    const v = cache.get(k)!;
    if (v.length !== dim) throw new Error(`embedding of text ${i} has ${v.length} dimensions, the first has ${dim} (mixed models in ${o.cachePath}?)`);
    vectors.set(v, i * dim);
  });
  return { vectors, dim, ...stats };
}

/** PCA to `dim` columns (or the vectors unchanged when dim is 0 or not smaller). */
export function reduceDim(vectors: Float32Array, n: number, d: number, dim: number): { vectors: Float32Array; dim: number } {
  if (!dim || dim >= d) return { vectors, dim: d };
  const p = fitPca(vectors, n, d, dim);
  return { vectors: applyPca(p, vectors, n), dim };
}

/** The ids last (writeFilesAtomic): a kill never leaves new vectors beside the ids of old ones. */
export function writeProfiles(prefix: string, users: readonly number[], vectors: Float32Array, dim: number): void {
  writeFilesAtomic([
    [`${prefix}.npy`, encodeNpy({ dtype: 'float32', shape: [users.length, dim], data: vectors })],
    [`${prefix}.users.npy`, encodeNpy({ dtype: 'int64', shape: [users.length], data: BigInt64Array.from(users, BigInt) })],
  ]);
}

/** Profiles written by writeProfiles, matched to the dataset's users (users missing get −1). */
export function loadProfiles(prefix: string, datasetUsers: readonly number[]): ProfileTable & { matched: number } {
  checkFileSet([`${prefix}.npy`, `${prefix}.users.npy`]);
  const { values, shape } = readFloats(`${prefix}.npy`, [null, null], 'users × dim profile vectors');
  if (!shape[0] || !shape[1]) throw new Error(`${prefix}.npy: no profiles (shape [${shape.join(', ')}])`);
  const ids = readInt64(`${prefix}.users.npy`);
  if (ids.length !== shape[0]) throw new Error(`${prefix}.users.npy has ${ids.length} ids for ${shape[0]} rows of ${prefix}.npy`);
  const row = uniqueIndex(ids, `${prefix}.users.npy`, 'user');
  const rowOf = Int32Array.from(datasetUsers, (id) => row.get(BigInt(id)) ?? -1);
  return { dim: shape[1], vectors: values, rowOf, matched: rowOf.filter((r) => r >= 0).length };
}

/** Text profiles as JSON lines {user, profile}, written atomically. */
export function writeProfileTexts(path: string, users: readonly number[], profiles: readonly string[]): void {
  writeFileAtomic(path, users.map((u, i) => `${JSON.stringify({ user: u, profile: profiles[i] })}\n`).join(''));
}

export function readProfileTexts(path: string): { users: number[]; profiles: string[] } {
  const users: number[] = [],
    lines: number[] = [],
    profiles: string[] = [];
  readText(path)
    .split('\n')
    .forEach((line, k) => {
      if (!line.trim()) return;
      let o: { user?: unknown; profile?: unknown };
      try {
        o = JSON.parse(line) as typeof o;
      } catch {
        throw new Error(`${path}:${k + 1}: not a JSON line`);
      }
      if (typeof o.user !== 'number' || typeof o.profile !== 'string') throw new Error(`${path}:${k + 1}: needs a numeric 'user' and a string 'profile'`);
      users.push(o.user);
      lines.push(k + 1);
      profiles.push(o.profile);
    });
  if (!users.length) throw new Error(`${path}: no profiles (the file is empty or blank)`);
  uniqueIndex(users, path, 'user', (i) => `line ${lines[i]}`);
  return { users, profiles };
}
