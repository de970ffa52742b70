// The text member of System 1's ensemble: each client's history rendered as words (event
// types, categories, price buckets, recency, visited urls, search-query codes), embedded by an
// OpenAI-compatible embeddings endpoint (ts/profiles: cache, retries, resume) and reduced by
// PCA, as the paper embeds rendered histories with a language model. Without a server the
// offline path is used instead: TF-IDF of the words and a randomised truncated SVD (not a
// language model; the pipeline's report says which one ran). Product name codes are not in
// the event cache, so they are not rendered.
import { EventCache, TOKEN } from '../data/ingest.js';
import type { EndpointConfig } from '../profiles/client.js';
import { tokenTfidf, truncatedSvd } from '../profiles/offline.js';
import { embedTexts, reduceDim } from '../profiles/pipeline.js';
import { writeSubmission } from './export.js';

const EVENTS = ['buy', 'add', 'remove', 'visit', 'search'];

/** Days before the client's data ends, as a word: today, week, month or older. */
const recency = (days: number): string => (days < 1 ? 'today' : days <= 7 ? 'week' : days <= 30 ? 'month' : 'older');

/**
 * A renderer of the cache's clients: client → its last `maxEvents` events as words, oldest
 * first. Per event its type, its type with its recency ("buy_week"), and what it names: the
 * category ("cat12", "buy_cat12"), the price decile ("price3"), the url ("url40"), the 16 query
 * codes ("q5_201": position 5, code 201). Ids are the ingest's (top-K vocabulary; out of
 * vocabulary and missing left out). Recency counts from the client's last event.
 */
export function historyWords(cache: EventCache, maxEvents = 126): (client: number) => string[] {
  const ev = cache.field('event'),
    day = cache.field('day'),
    cat = cache.field('category'),
    price = cache.field('price'),
    url = cache.field('url'),
    query = cache.field('query'),
    codes = cache.file.readArray<Uint8Array>('queryCodes');
  return (client) => {
    const end = cache.offsets[client + 1]!,
      start = Math.max(cache.offsets[client]!, end - maxEvents);
    let last = 0;
    for (let k = cache.offsets[client]!; k < end; k++) last = Math.max(last, day[k]!);
    const words: string[] = [];
    for (let k = start; k < end; k++) {
      const e = EVENTS[ev[k]! - TOKEN.first]!;
      words.push(e, `${e}_${recency(last - day[k]!)}`);
      if (cat[k]! >= TOKEN.first) words.push(`cat${cat[k]! - TOKEN.first}`, `${e}_cat${cat[k]! - TOKEN.first}`);
      if (price[k]! >= TOKEN.first) words.push(`price${Math.floor((price[k]! - TOKEN.first) / 10)}`);
      if (url[k]! >= TOKEN.first) words.push(`url${url[k]! - TOKEN.first}`);
      if (query[k]! >= 0) for (let p = 0; p < 16; p++) words.push(`q${p}_${codes[query[k]! * 16 + p]}`);
    }
    return words;
  };
}

export interface TextMemberOptions {
  cache: EventCache;
  relevant: BigInt64Array;
  /** Submission folder written. */
  out: string;
  /** Columns (PCA of the endpoint's vectors, or the SVD's rank). */
  dim?: number;
  seed: number;
  /** An embeddings endpoint; without one, the offline TF-IDF + SVD path. */
  endpoint?: EndpointConfig;
  /** The endpoint's answers are cached here (a rerun costs nothing; default OUT.cache.jsonl). */
  cachePath?: string;
  /** Requests in flight (default 4). */
  concurrency?: number;
  log?: (line: string) => void;
}

/** Writes the member; `offline` says whether the TF-IDF + SVD path ran instead of an embeddings model. */
export async function textMember(o: TextMemberOptions): Promise<{ dim: number; offline: boolean }> {
  const rows = o.cache.rowsOf(o.relevant);
  const render = historyWords(o.cache);
  const docs = Array.from(rows, (c) => (c < 0 ? [] : render(c)));
  const want = o.dim ?? 64;
  if (o.endpoint) {
    const r = await embedTexts({
      texts: docs.map((d) => (d.length ? d.join(' ') : 'no events')),
      endpoint: o.endpoint,
      concurrency: o.concurrency ?? 4,
      batch: 32,
      cachePath: o.cachePath ?? `${o.out}.cache.jsonl`,
      log: o.log,
    });
    const red = reduceDim(r.vectors, docs.length, r.dim, want);
    docs.forEach((d, i) => {
      if (!d.length) red.vectors.fill(0, i * red.dim, (i + 1) * red.dim); // no events: the missing member's zeros
    });
    writeSubmission(o.out, o.relevant, red.vectors, red.dim, o.relevant);
    return { dim: red.dim, offline: false };
  }
  const vocab = new Map<string, number>();
  const ids = docs.map((d) => d.map((w) => vocab.get(w) ?? (vocab.set(w, vocab.size), vocab.size - 1)));
  const x = tokenTfidf(ids);
  const dim = Math.min(want, x.rows, x.cols);
  writeSubmission(o.out, o.relevant, truncatedSvd(x, dim, { seed: o.seed }), dim, o.relevant);
  return { dim, offline: true };
}
