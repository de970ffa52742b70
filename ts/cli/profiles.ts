// `seqcore profiles generate|embed|offline`: user profiles for distillation (ts/profiles/).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { EndpointConfig } from '../profiles/client.js';
import { attributeProfiles, readItemAttributes } from '../profiles/offline.js';
import { embedTexts, generateProfiles, readProfileTexts, reduceDim, writeProfiles, writeProfileTexts } from '../profiles/pipeline.js';
import { itemTextFrom } from '../profiles/prompt.js';
import { lockOutput } from '../data/lock.js';
import { loadSplit } from './rec.js';
import { isObject, readJson } from '../data/files.js';
import { integer, MAX_COUNT, MAX_WIDTH, seed } from './flags.js';

export const PROFILES_USAGE = `       seqcore profiles generate (--data USERS.txt | --interactions FILE.csv [--split temporal]) --out PROFILES.jsonl
                         [--attributes ITEM2ATTR.json] [--item-text ITEMS.json] [--base-url URL] [--model NAME] [--api-key KEY]
                         [--concurrency 4] [--chunk 50] [--max-tokens 200] [--timeout-ms 60000] [--retries 4] [--cache FILE]
       seqcore profiles embed --profiles PROFILES.jsonl --out PREFIX [--dim 64 (PCA; 0 keeps all)] [--base-url URL] [--model NAME]
                         [--api-key KEY] [--batch 32] [--concurrency 4] [--timeout-ms 60000] [--retries 4] [--cache FILE]
       seqcore profiles offline (--data USERS.txt | --interactions FILE.csv [--split temporal]) --attributes ITEM2ATTR.json
                         --out PREFIX [--dim 64]      TF-IDF of item attributes + truncated SVD: no LLM involved
       Endpoints: --base-url or SEQCORE_BASE_URL / OPENAI_BASE_URL; --model or SEQCORE_MODEL; --api-key or SEQCORE_API_KEY / OPENAI_API_KEY.
       Profiles read only each user's training history (never validation or test items).`;

const OPTIONS = {
  data: { type: 'string' },
  interactions: { type: 'string' },
  split: { type: 'string', default: 'loo' },
  out: { type: 'string' },
  attributes: { type: 'string' },
  'item-text': { type: 'string' },
  profiles: { type: 'string' },
  dim: { type: 'string', default: '64' },
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'api-key': { type: 'string' },
  concurrency: { type: 'string', default: '4' },
  chunk: { type: 'string', default: '50' },
  'max-tokens': { type: 'string', default: '200' },
  'timeout-ms': { type: 'string', default: '60000' },
  retries: { type: 'string', default: '4' },
  batch: { type: 'string', default: '32' },
  cache: { type: 'string' },
  seed: { type: 'string', default: '1' },
} as const;

const int = (v: Record<string, unknown>, k: string, min: number, max = MAX_COUNT): number => integer(`--${k}`, v[k], min, max);

function endpoint(v: Record<string, string | boolean | undefined>, kind: 'chat' | 'embeddings'): EndpointConfig {
  const env = process.env;
  const baseUrl = (v['base-url'] as string | undefined) ?? env.SEQCORE_BASE_URL ?? env.OPENAI_BASE_URL;
  const model = (v.model as string | undefined) ?? (kind === 'chat' ? env.SEQCORE_MODEL : env.SEQCORE_EMBEDDING_MODEL);
  if (!baseUrl)
    throw new Error(
      `no ${kind} endpoint: give --base-url (e.g. http://localhost:8000/v1) or set SEQCORE_BASE_URL; without a model server use 'seqcore profiles offline'`,
    );
  if (!model) throw new Error(`no model name: give --model or set ${kind === 'chat' ? 'SEQCORE_MODEL' : 'SEQCORE_EMBEDDING_MODEL'}`);
  return {
    baseUrl,
    model,
    apiKey: (v['api-key'] as string | undefined) ?? env.SEQCORE_API_KEY ?? env.OPENAI_API_KEY,
    timeoutMs: int(v, 'timeout-ms', 1),
    retries: int(v, 'retries', 0),
    backoffMs: 500,
  };
}

export function readItemTexts(path: string): Map<number, string> {
  const raw = readJson(path);
  if (!isObject(raw)) throw new Error(`${path}: expected an object of item id → text or fields`);
  return new Map(
    Object.entries(raw).map(([k, t]) => {
      if (!Number.isInteger(Number(k)) || Number(k) < 1) throw new Error(`${path}: key '${k}' is not a positive integer item id`);
      if (typeof t === 'string') return [Number(k), t] as const;
      if (t && typeof t === 'object')
        return [
          Number(k),
          Object.entries(t)
            .map(([f, x]) => `${f}: ${String(x)}`)
            .join('; '),
        ] as const;
      throw new Error(`${path}: item ${k}: expected a string or an object of fields`);
    }),
  );
}

export async function profilesCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values: v } = parseArgs({ args: rest, options: OPTIONS });
  const log = (l: string): void => {
    process.stderr.write(`${l}\n`);
  };
  const out = v.out;
  if (!out) throw new Error(`--out is required\n${PROFILES_USAGE}`);
  mkdirSync(dirname(out), { recursive: true });
  lockOutput(out); // one run at a time per output
  if (sub === 'generate') {
    const split = loadSplit(v as never);
    const items = itemTextFrom(v['item-text'] ? readItemTexts(v['item-text']) : null, v.attributes ? readItemAttributes(v.attributes) : null);
    const r = await generateProfiles({
      users: split.users,
      histories: split.train,
      items,
      endpoint: endpoint(v, 'chat'),
      concurrency: int(v, 'concurrency', 1, 1024),
      chunk: int(v, 'chunk', 1),
      maxTokens: int(v, 'max-tokens', 1),
      cachePath: v.cache ?? `${out}.cache.jsonl`,
      log,
    });
    writeProfileTexts(out, split.users, r.profiles);
    log(`wrote ${r.profiles.length} profiles to ${out} (${r.requests} requests, ${r.cached} from the cache)`);
    return 0;
  }
  if (sub === 'embed') {
    if (!v.profiles) throw new Error(`--profiles PROFILES.jsonl is required\n${PROFILES_USAGE}`);
    const { users, profiles } = readProfileTexts(v.profiles);
    const r = await embedTexts({
      texts: profiles,
      endpoint: endpoint(v, 'embeddings'),
      concurrency: int(v, 'concurrency', 1, 1024),
      batch: int(v, 'batch', 1),
      cachePath: v.cache ?? `${out}.cache.jsonl`,
      log,
    });
    const red = reduceDim(r.vectors, users.length, r.dim, int(v, 'dim', 0, MAX_WIDTH));
    writeProfiles(out, users, red.vectors, red.dim);
    log(`wrote ${users.length}×${red.dim} profile vectors (from ${r.dim}) to ${out}.npy and ${out}.users.npy (${r.requests} requests, ${r.cached} cached)`);
    return 0;
  }
  if (sub === 'offline') {
    if (!v.attributes) throw new Error(`--attributes ITEM2ATTR.json is required\n${PROFILES_USAGE}`);
    const split = loadSplit(v as never);
    const dim = int(v, 'dim', 1, MAX_WIDTH);
    const vectors = attributeProfiles(split.train, readItemAttributes(v.attributes), dim, seed('--seed', v.seed));
    writeProfiles(out, split.users, vectors, dim);
    log(`wrote ${split.users.length}×${dim} offline attribute profiles (TF-IDF + truncated SVD, not an LLM) to ${out}.npy and ${out}.users.npy`);
    return 0;
  }
  throw new Error(`unknown profiles command '${sub ?? ''}'\n${PROFILES_USAGE}`);
}
