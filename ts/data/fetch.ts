// Public datasets fetched from their source: each file checked against its SHA-256, resumed
// from where an interrupted download stopped (an HTTP Range request on FILE.part), and moved
// into place only when whole and checked. They land in SEQCORE_DATA (default: the user's
// cache folder), one folder per dataset.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { userCacheHome } from '../io/files.js';
import { progressBar } from '../train/progress.js';

export interface DatasetFile {
  name: string;
  url: string;
  bytes: number;
  sha256: string;
}

export interface Dataset {
  about: string;
  files: DatasetFile[];
}

/** Pinned to one commit, so that the bytes (and the checksums) never change under a user. */
const S3REC = 'https://raw.githubusercontent.com/RUCAIBox/CIKM2020-S3Rec/2a81540ae18615d88ef88227b0c066e5b74781e5/data';

export const DATASETS: Record<string, Dataset> = {
  'amazon-beauty': {
    about:
      'Amazon Beauty as SASRec and S3-Rec preprocessed it (5-core, 22,363 users, 12,101 items; one line per user) ' +
      "and the items' attributes, from the S3-Rec repository (RUCAIBox/CIKM2020-S3Rec)",
    files: [
      { name: 'Beauty.txt', url: `${S3REC}/Beauty.txt`, bytes: 1090094, sha256: '226cce9c3105299ca0db9615d7d3fb32b3175e90da43100ae352599f0f0107b8' },
      {
        name: 'Beauty_item2attributes.json',
        url: `${S3REC}/Beauty_item2attributes.json`,
        bytes: 305674,
        sha256: '129e40f67486f6877eff0f5318cfa8530ee8ac23d8b0d1de04e1bb7a2ba0b2d4',
      },
    ],
  },
};

/** Where datasets go: SEQCORE_DATA, else ~/.cache/seqcore. */
export function dataHome(): string {
  return process.env.SEQCORE_DATA ?? userCacheHome();
}

export interface FetchOptions {
  /** The folder the dataset's files go to. */
  dir: string;
  /** Fetch every file from this URL (a mirror: BASE/NAME) instead of its source. */
  baseUrl?: string;
  /** Attempts per file (network errors and 5xx answers), resuming each time. */
  attempts?: number;
  log?: (line: string) => void;
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** An error and its cause (fetch's own message is only "fetch failed"). */
function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `: ${(e.cause as Error & { code?: string }).code ?? e.cause.message}` : '';
  return `${e.message}${cause}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One attempt: appends what the server sends after the partial file's bytes (all of it if it ignores the range). */
async function download(url: string, part: string, f: DatasetFile): Promise<void> {
  const have = existsSync(part) ? statSync(part).size : 0;
  const res = await fetch(url, { headers: have > 0 ? { range: `bytes=${have}-` } : {} });
  if (res.status === 416 && have === f.bytes) return; // already whole
  if (res.status === 416) {
    // the partial file is not a prefix the server can continue (a shorter mirror): start over
    rmSync(part);
    throw Object.assign(new Error(`${url}: HTTP 416 for the ${have} bytes already fetched; starting over`), { retry: true });
  }
  if (!res.ok || !res.body) throw Object.assign(new Error(`${url}: HTTP ${res.status} ${res.statusText}`), { retry: res.status >= 500 });
  const resumed = res.status === 206;
  const bar = progressBar(`fetch ${f.name}`, f.bytes, resumed ? have : 0);
  let done = resumed ? have : 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, next) {
      done += chunk.length;
      bar?.update(Math.min(done, f.bytes), '');
      next(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), count, createWriteStream(part, { flags: resumed ? 'a' : 'w' }));
  } finally {
    bar?.end();
  }
}

/** Downloads `files` into `o.dir` (skipping those already there and whole): each file's path. */
export async function fetchFiles(files: readonly DatasetFile[], o: FetchOptions): Promise<string[]> {
  const log = o.log ?? (() => {});
  mkdirSync(o.dir, { recursive: true });
  const paths: string[] = [];
  for (const f of files) {
    const path = join(o.dir, f.name),
      part = `${path}.part`,
      url = o.baseUrl ? `${o.baseUrl.replace(/\/+$/, '')}/${f.name}` : f.url;
    paths.push(path);
    if (existsSync(path) && statSync(path).size === f.bytes && (await sha256Of(path)) === f.sha256) {
      log(`${f.name}: already there, checksum verified`);
      continue;
    }
    const attempts = o.attempts ?? 4;
    for (let a = 1; ; a++) {
      try {
        if (existsSync(part) && statSync(part).size > f.bytes) rmSync(part); // not a prefix of this file
        log(`${f.name}: ${existsSync(part) ? `resuming at byte ${statSync(part).size} of ${f.bytes}` : `${f.bytes} bytes`} from ${url}`);
        await download(url, part, f);
        break;
      } catch (e) {
        const retry = (e as { retry?: boolean }).retry ?? true; // a network error: try again
        if (!retry || a >= attempts) throw new Error(`fetching ${url}: ${reason(e)}${a > 1 ? ` (after ${a} attempts)` : ''}`, { cause: e });
        await sleep(500 * 2 ** (a - 1));
      }
    }
    const size = statSync(part).size,
      sum = await sha256Of(part);
    if (size !== f.bytes || sum !== f.sha256) {
      rmSync(part); // a bad download is not resumed
      throw new Error(`${url}: checksum mismatch (${size} bytes, SHA-256 ${sum}; expected ${f.bytes} bytes, ${f.sha256}); nothing was kept`);
    }
    renameSync(part, path);
    log(`${f.name}: ${f.bytes} bytes, checksum verified`);
  }
  return paths;
}

/** Fetches dataset `name` into `dir` (default: dataHome()/name): the folder. */
export async function fetchDataset(name: string, o: Partial<FetchOptions> = {}): Promise<string> {
  const d = Object.hasOwn(DATASETS, name) ? DATASETS[name] : undefined;
  if (!d) throw new Error(`unknown dataset '${name}' (known: ${Object.keys(DATASETS).join(', ')})`);
  const dir = o.dir ?? join(dataHome(), name);
  await fetchFiles(d.files, { ...o, dir });
  return dir;
}
