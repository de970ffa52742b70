// A client for OpenAI-compatible HTTP endpoints (OpenAI, vLLM, llama.cpp's server, Ollama's
// /v1): chat completions for profile text, embeddings for its vector. Every request has a
// timeout; a timeout, a network error, a body cut short, HTTP 429 or 5xx, or a body that is
// not the expected JSON is retried with exponential backoff, then fails with an error naming
// the URL, the attempt count and the last cause. Other HTTP errors (401, 404, …) fail at once:
// retrying cannot fix them.
// Waits: a Retry-After (seconds or an HTTP date) replaces the backoff, and no wait exceeds
// timeoutMs, the time one request may take. A batch job should not sleep for a day because
// a server says so (Retry-After: 86400): it retries sooner and, if the server still refuses,
// fails with that answer rather than hang.

export interface EndpointConfig {
  /** e.g. http://localhost:8000/v1 (the /chat/completions and /embeddings paths are appended). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  retries: number;
  /** First backoff; doubles per retry (with ±25 % jitter). */
  backoffMs: number;
}

export class EndpointError extends Error {}

class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Retry-After in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header?.trim()) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function postOnce(url: string, body: unknown, cfg: EndpointConfig): Promise<unknown> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), cfg.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal: ctl.signal,
    });
  } catch (e) {
    clearTimeout(timer);
    throw new Retryable(ctl.signal.aborted ? `no response within ${cfg.timeoutMs} ms` : `network error: ${causeOf(e)}`);
  }
  try {
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      // undici rejects with a bare TypeError ('terminated') when the connection closes before
      // Content-Length bytes came: a network error like any other.
      throw new Retryable(ctl.signal.aborted ? `no complete response within ${cfg.timeoutMs} ms` : `HTTP ${res.status} body cut short: ${causeOf(e)}`);
    }
    if (res.status === 429 || res.status >= 500) {
      const ra = res.headers.get('retry-after');
      throw new Retryable(`HTTP ${res.status}: ${text.slice(0, 200)}${ra ? ` (Retry-After: ${ra.slice(0, 40)})` : ''}`, retryAfterMs(ra));
    }
    if (!res.ok) throw new EndpointError(`${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new Retryable(`malformed JSON in the response: ${text.slice(0, 120)}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** An error's message with its cause's (fetch's 'fetch failed' hides the reason in .cause). */
function causeOf(e: unknown): string {
  const cause = (e as Error).cause;
  return `${(e as Error).message}${cause instanceof Error ? ` (${cause.message})` : ''}`;
}

/** POSTs body to base/path, parses the reply with `read` (which throws on an unexpected shape), retrying as above. */
export async function post<T>(cfg: EndpointConfig, path: string, body: unknown, read: (json: unknown) => T): Promise<T> {
  const url = `${cfg.baseUrl.replace(/\/+$/, '')}${path}`;
  if (!URL.canParse(url)) throw new EndpointError(`${url}: not a valid URL (check the base URL)`);
  let last = '';
  for (let attempt = 0; attempt <= cfg.retries; attempt++) {
    try {
      const json = await postOnce(url, body, cfg);
      try {
        return read(json);
      } catch (e) {
        throw new Retryable(`unexpected response: ${(e as Error).message}`);
      }
    } catch (e) {
      if (!(e instanceof Retryable)) throw e;
      last = e.message;
      if (attempt === cfg.retries) break;
      const wait = e.retryAfterMs ?? cfg.backoffMs * 2 ** attempt * (0.75 + 0.5 * Math.random());
      await sleep(Math.min(wait, cfg.timeoutMs));
    }
  }
  throw new EndpointError(`${url}: failed after ${cfg.retries + 1} attempts; last: ${last}`);
}

function field(o: unknown, ...path: (string | number)[]): unknown {
  let v = o;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !(p in (v as object))) throw new Error(`missing ${path.join('.')}`);
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** One chat completion (temperature 0) → the reply's text. */
export function chat(cfg: EndpointConfig, prompt: string, maxTokens: number): Promise<string> {
  return post(cfg, '/chat/completions', { model: cfg.model, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: maxTokens }, (j) => {
    const text = field(j, 'choices', 0, 'message', 'content');
    if (typeof text !== 'string' || !text.trim()) throw new Error('choices[0].message.content is not a non-empty string');
    return text.trim();
  });
}

/** Embeddings of several texts → one vector per text, in order. */
export function embed(cfg: EndpointConfig, texts: string[]): Promise<number[][]> {
  return post(cfg, '/embeddings', { model: cfg.model, input: texts }, (j) => {
    const data = field(j, 'data');
    if (!Array.isArray(data) || data.length !== texts.length)
      throw new Error(`data has ${Array.isArray(data) ? data.length : 'no'} entries for ${texts.length} inputs`);
    const out: number[][] = new Array(texts.length);
    data.forEach((d, k) => {
      const i = typeof (d as { index?: unknown }).index === 'number' ? (d as { index: number }).index : k;
      const v = field(d, 'embedding');
      if (!Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
        throw new Error(`data[${k}].embedding is not a vector of finite numbers`);
      if (i < 0 || i >= texts.length || out[i]) throw new Error(`data[${k}].index ${i} is out of range or repeated`);
      out[i] = v as number[];
    });
    if (out.some((v) => v.length !== out[0]!.length)) throw new Error('embeddings differ in length');
    return out;
  });
}

/** Runs fn over items with at most `limit` in flight; the first error stops new work and is thrown once running work settles. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0,
    failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        if (failure === null) failure = e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== null) throw failure;
  return out;
}
