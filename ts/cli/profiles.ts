// `seqcore profiles generate|embed|offline`: user profiles for distillation (ts/profiles/).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { EndpointConfig } from '../profiles/client.js';
import { attributeProfiles, readItemAttributes } from '../profiles/offline.js';
import { embedTexts, generateProfiles, readProfileTexts, reduceDim, writeProfiles, writeProfileTexts } from '../profiles/pipeline.js';
import { itemTextFrom } from '../profiles/prompt.js';
import { lockOutput } from '../io/lock.js';
import { loadSplit, withSplitFlags } from './rec.js';
import { examples, flagName, renamed, withThreads } from './options.js';
import { note } from './output.js';
import { isObject, readJson } from '../io/files.js';
import { integer, MAX_COUNT, MAX_WIDTH, seed } from './flags.js';

const int = (v: object, k: string, min: number, max = MAX_COUNT): number => integer(flagName(k), (v as Record<string, unknown>)[k], min, max);

export interface EndpointFlags {
  baseUrl?: string;
  servedModel?: string;
  apiKey?: string;
  timeoutMs: string;
  retries: string;
}

export function endpoint(v: EndpointFlags, kind: 'chat' | 'embeddings'): EndpointConfig {
  const env = process.env;
  const baseUrl = v.baseUrl ?? env.SEQCORE_BASE_URL ?? env.OPENAI_BASE_URL;
  const model = v.servedModel ?? (kind === 'chat' ? env.SEQCORE_MODEL : env.SEQCORE_EMBEDDING_MODEL);
  if (!baseUrl)
    throw new Error(
      `no ${kind} endpoint: give --base-url (e.g. http://localhost:8000/v1) or set SEQCORE_BASE_URL; without a model server use 'seqcore profiles offline'`,
    );
  if (!model) throw new Error(`no model name: give --served-model or set ${kind === 'chat' ? 'SEQCORE_MODEL' : 'SEQCORE_EMBEDDING_MODEL'}`);
  return {
    baseUrl,
    model,
    apiKey: v.apiKey ?? env.SEQCORE_API_KEY ?? env.OPENAI_API_KEY,
    timeoutMs: int(v, 'timeoutMs', 1),
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

/** The endpoint flags of profiles generate and embed; `kind` names the model the server serves. */
export function withEndpoint(cmd: Command, kind: 'chat' | 'embedding'): Command {
  cmd
    .option('--base-url <url>', 'OpenAI-compatible server, e.g. http://localhost:8000/v1 (default: SEQCORE_BASE_URL or OPENAI_BASE_URL)')
    .option('--served-model <name>', `the ${kind} model the server serves (default: ${kind === 'chat' ? 'SEQCORE_MODEL' : 'SEQCORE_EMBEDDING_MODEL'})`)
    .option('--api-key <key>', 'API key (default: SEQCORE_API_KEY or OPENAI_API_KEY)')
    .option('--concurrency <n>', 'requests in flight', '4')
    .option('--timeout-ms <ms>', 'timeout of one request', '60000')
    .option('--retries <n>', 'retries of a failed request (exponential backoff)', '4')
    .option('--cache <file>', 'answers cached here, so that a rerun resumes (default: OUT.cache.jsonl)');
  return renamed(cmd, 'model', 'served-model');
}

/** --out, its folder made and locked (one run at a time per output). */
function output(out: string): string {
  mkdirSync(dirname(out), { recursive: true });
  lockOutput(out);
  return out;
}

type SplitFlags = { sequences?: string; interactions?: string; split: string };

export function addProfilesCommand(program: Command): void {
  const profiles = program
    .command('profiles')
    .description("user profiles for distillation: an LLM's text profiles and their embeddings, or offline attribute profiles")
    .addHelpText('after', "\nProfiles read only each user's training history (never validation or test items).");
  examples(
    withEndpoint(withThreads(withSplitFlags(profiles.command('generate').description("ask an LLM for each user's text profile (chat completions)"))), 'chat')
      .requiredOption('--out <file>', 'profiles to write (JSON Lines: user, profile)')
      .option('--attributes <file>', 'item attributes (ITEM2ATTR.json) shown to the LLM')
      .option('--item-text <file>', 'item texts (JSON: item id → text or fields) shown to the LLM')
      .option('--chunk <n>', 'history items per request', '50')
      .option('--max-tokens <n>', 'longest answer, in tokens', '200')
      .action(
        async (
          v: SplitFlags &
            EndpointFlags & { out: string; attributes?: string; itemText?: string; concurrency: string; chunk: string; maxTokens: string; cache?: string },
        ) => {
          const out = output(v.out);
          const split = loadSplit(v);
          const items = itemTextFrom(v.itemText ? readItemTexts(v.itemText) : null, v.attributes ? readItemAttributes(v.attributes) : null);
          const r = await generateProfiles({
            users: split.users,
            histories: split.train,
            items,
            endpoint: endpoint(v, 'chat'),
            concurrency: int(v, 'concurrency', 1, 1024),
            chunk: int(v, 'chunk', 1),
            maxTokens: int(v, 'maxTokens', 1),
            cachePath: v.cache ?? `${out}.cache.jsonl`,
            log: note,
          });
          writeProfileTexts(out, split.users, r.profiles);
          note(`wrote ${r.profiles.length} profiles to ${out} (${r.requests} requests, ${r.cached} from the cache)`);
        },
      ),
    'seqcore profiles generate --sequences Beauty.txt --attributes Beauty_item2attributes.json --out runs/profiles/beauty.jsonl ' +
      '--base-url http://localhost:8000/v1 --served-model qwen2.5-7b',
  );
  examples(
    withEndpoint(withThreads(profiles.command('embed').description('embed text profiles (embeddings endpoint) and reduce them by PCA')), 'embedding')
      .requiredOption('--profiles <file>', 'text profiles (from profiles generate)')
      .requiredOption('--out <prefix>', 'writes PREFIX.npy and PREFIX.users.npy')
      .option('--dim <d>', 'PCA dimension (0 keeps all)', '64')
      .option('--batch <n>', 'texts per request', '32')
      .action(async (v: EndpointFlags & { profiles: string; out: string; dim: string; batch: string; concurrency: string; cache?: string }) => {
        const out = output(v.out);
        const { users, profiles: texts } = readProfileTexts(v.profiles);
        const r = await embedTexts({
          texts,
          endpoint: endpoint(v, 'embeddings'),
          concurrency: int(v, 'concurrency', 1, 1024),
          batch: int(v, 'batch', 1),
          cachePath: v.cache ?? `${out}.cache.jsonl`,
          log: note,
        });
        const red = reduceDim(r.vectors, users.length, r.dim, int(v, 'dim', 0, MAX_WIDTH));
        writeProfiles(out, users, red.vectors, red.dim);
        note(
          `wrote ${users.length}×${red.dim} profile vectors (from ${r.dim}) to ${out}.npy and ${out}.users.npy (${r.requests} requests, ${r.cached} cached)`,
        );
      }),
    'seqcore profiles embed --profiles runs/profiles/beauty.jsonl --out runs/profiles/beauty --served-model bge-m3',
  );
  examples(
    withThreads(withSplitFlags(profiles.command('offline').description('attribute profiles without an LLM: TF-IDF of item attributes and a truncated SVD')))
      .requiredOption('--attributes <file>', 'item attributes (ITEM2ATTR.json)')
      .requiredOption('--out <prefix>', 'writes PREFIX.npy and PREFIX.users.npy')
      .option('--dim <d>', 'dimension', '64')
      .option('--seed <n>', 'random seed of the SVD', '1')
      .action((v: SplitFlags & { attributes: string; out: string; dim: string; seed: string }) => {
        const out = output(v.out);
        const split = loadSplit(v);
        const dim = int(v, 'dim', 1, MAX_WIDTH);
        const vectors = attributeProfiles(split.train, readItemAttributes(v.attributes), dim, seed('--seed', v.seed));
        writeProfiles(out, split.users, vectors, dim);
        note(`wrote ${split.users.length}×${dim} offline attribute profiles (TF-IDF + truncated SVD, not an LLM) to ${out}.npy and ${out}.users.npy`);
      }),
    'seqcore profiles offline --sequences Beauty.txt --attributes Beauty_item2attributes.json --out runs/profiles/attributes',
  );
}
