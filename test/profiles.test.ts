// The profile pipeline against a small OpenAI-compatible server on loopback, started by the
// test: requests and their shape, the disk cache (a rerun costs nothing, an interrupted run
// resumes), retries on 429 / 500 / malformed JSON / timeouts / bodies cut short, bounded
// Retry-After waits, and clear errors once retries run out; bad profile files. Then the
// offline attribute embedder against hand-computed TF-IDF and an exact SVD.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../ts/io/npy.js';
import { symmetricEigen } from '../ts/linalg/eigen.js';
import type { EndpointConfig } from '../ts/profiles/client.js';
import { attributeProfiles, parseItemAttributes, tfidf, truncatedSvd } from '../ts/profiles/offline.js';
import { writeNpy } from '../ts/io/npy.js';
import { retryAfterMs } from '../ts/profiles/client.js';
import { embedTexts, generateProfiles, loadProfiles, readProfileTexts, reduceDim, writeProfiles } from '../ts/profiles/pipeline.js';
import { itemTextFrom, profilePrompt } from '../ts/profiles/prompt.js';

type Fault = 'ok' | '429' | '500' | 'bad-json' | 'hang' | '401' | 'cut' | '429-day' | '503-date';
interface Seen {
  path: string;
  body: { model: string; messages?: { content: string }[]; input?: string[] };
  auth: string | undefined;
}

/** An OpenAI-compatible server whose next replies follow `faults` (then 'ok'). */
class FakeServer {
  server!: Server;
  seen: Seen[] = [];
  faults: Fault[] = [];
  /** Fault for every request whose prompt contains this text. */
  poison: string | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const a = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${a.port}/v1`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      const body = JSON.parse(data) as Seen['body'];
      this.seen.push({ path: req.url!, body, auth: req.headers.authorization });
      const prompt = body.messages?.[0]?.content ?? body.input?.join('\n') ?? '';
      const fault = this.poison && prompt.includes(this.poison) ? '500' : (this.faults.shift() ?? 'ok');
      if (fault === 'hang') return; // never answers: the client's timeout must fire
      if (fault === '429') {
        res.writeHead(429, { 'retry-after': '0.01' });
        res.end('slow down');
        return;
      }
      if (fault === '500') {
        res.writeHead(500);
        res.end('boom');
        return;
      }
      if (fault === '401') {
        res.writeHead(401);
        res.end('bad key');
        return;
      }
      if (fault === '429-day') {
        res.writeHead(429, { 'retry-after': '86400' });
        res.end('come back tomorrow');
        return;
      }
      if (fault === '503-date') {
        res.writeHead(503, { 'retry-after': new Date(Date.now() + 1500).toUTCString() });
        res.end('restarting');
        return;
      }
      if (fault === 'cut') {
        // promises 100 bytes, sends 13, hangs up
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"choices": [', () => res.destroy());
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      if (fault === 'bad-json') {
        res.end('{"choices": [ {');
        return;
      }
      if (req.url === '/v1/chat/completions') {
        const n = (prompt.match(/^\d+\. /gm) ?? []).length;
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `Preferences: ${n} items. Trends: none.` } }] }));
      } else {
        // a deterministic 6-d "embedding" of each text: character statistics
        const vec = (t: string): number[] => [t.length, (t.match(/e/g) ?? []).length, (t.match(/\d/g) ?? []).length, t.charCodeAt(0), t.split(' ').length, 1];
        res.end(JSON.stringify({ data: body.input!.map((t, index) => ({ index, embedding: vec(t) })).reverse() }));
      }
    });
  }
}

const fake = new FakeServer();
let dir = '';
beforeAll(async () => {
  await fake.start();
  dir = mkdtempSync(join(tmpdir(), 'seqcore-profiles-'));
});
afterAll(() => {
  fake.server.closeAllConnections();
  fake.server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  fake.seen = [];
  fake.faults = [];
  fake.poison = null;
});

const cfg = (over: Partial<EndpointConfig> = {}): EndpointConfig => ({
  baseUrl: fake.url,
  model: 'tiny-llm',
  apiKey: 'sk-test',
  timeoutMs: 2000,
  retries: 3,
  backoffMs: 5,
  ...over,
});
const items = itemTextFrom(
  new Map([
    [1, 'rose lipstick'],
    [2, 'argan shampoo'],
  ]),
  new Map([
    [1, [7, 8]],
    [2, [8]],
    [3, [9]],
  ]),
);
const users = [10, 11, 12, 13];
const histories = [[1, 2], [2, 3, 3], [1], [3, 1, 2, 2, 1]].map((h) => Int32Array.from(h));
let run = 0;
const gen = (over: Partial<Parameters<typeof generateProfiles>[0]> = {}) =>
  generateProfiles({ users, histories, items, endpoint: cfg(), concurrency: 2, chunk: 50, maxTokens: 64, cachePath: join(dir, `c${run}.jsonl`), ...over });

describe('profiles generate (chat completions)', () => {
  it('renders the prompt from the history and sends one request per user, with the key and model', async () => {
    run++;
    const r = await gen();
    expect(r.requests).toBe(4);
    expect(r.profiles).toEqual([
      'Preferences: 2 items. Trends: none.',
      'Preferences: 3 items. Trends: none.',
      'Preferences: 1 items. Trends: none.',
      'Preferences: 5 items. Trends: none.',
    ]);
    expect(fake.seen.every((s) => s.path === '/v1/chat/completions' && s.auth === 'Bearer sk-test' && s.body.model === 'tiny-llm')).toBe(true);
    const p = profilePrompt(histories[0]!, items);
    expect(p).toContain('1. rose lipstick [attribute 7, attribute 8]');
    expect(p).toContain('Most frequent attributes: attribute 8 67%, attribute 7 33%.');
    expect(p).toMatch(/Preferences:.*\nBehaviour:.*\nTrends:/);
  });

  it('a rerun is answered from the cache with no request', async () => {
    const again = await gen();
    expect(again.requests).toBe(0);
    expect(again.cached).toBe(4);
    expect(fake.seen.length).toBe(0);
  });

  it('splits a long history into parts and merges their profiles', async () => {
    run++;
    const r = await gen({ users: [20], histories: [Int32Array.from({ length: 7 }, (_, i) => 1 + (i % 3))], chunk: 3 });
    expect(r.requests).toBe(4); // parts of 3, 3, 1 items, then the merge
    expect(
      fake.seen
        .slice(0, 3)
        .map((s) => s.body.messages![0]!.content.match(/part (\d) of 3/)?.[1])
        .sort(),
    ).toEqual(['1', '2', '3']);
    expect(fake.seen[3]!.body.messages![0]!.content).toMatch(/^Below are profiles of 3 consecutive parts/);
  });

  it('retries 429, 500, malformed JSON and a timeout, then succeeds', async () => {
    run++;
    fake.faults = ['429', '500', 'bad-json', 'hang'];
    const r = await gen({ users: [30], histories: [Int32Array.from([1])], endpoint: cfg({ timeoutMs: 300, retries: 4 }) });
    expect(r.profiles).toEqual(['Preferences: 1 items. Trends: none.']);
    expect(fake.seen.length).toBe(5);
  });

  it('gives a clear error once retries run out, and keeps what was done for the rerun', async () => {
    run++;
    fake.poison = '3. argan'; // user 13's prompt only (the one with a third item)
    const err = await gen({ concurrency: 1 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/user 13: .*\/chat\/completions: failed after 4 attempts; last: HTTP 500: boom.*3 finished requests are kept/);
    fake.poison = null;
    fake.seen = [];
    const r = await gen({ concurrency: 1 });
    expect(r.requests).toBe(1); // only user 13
    expect(r.cached).toBe(3);
  });

  it('retries a body cut short (fewer bytes than its Content-Length), then succeeds', async () => {
    run++;
    fake.faults = ['cut', 'cut'];
    const r = await gen({ users: [50], histories: [Int32Array.from([1])] });
    expect(r.profiles).toEqual(['Preferences: 1 items. Trends: none.']);
    expect(fake.seen.length).toBe(3);
  });

  it('names the URL and the user once every body was cut short', async () => {
    run++;
    fake.faults = ['cut', 'cut'];
    const err = await gen({ users: [51], histories: [Int32Array.from([1])], endpoint: cfg({ retries: 1 }) }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^user 51: http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: failed after 2 attempts; last: HTTP 200 body cut short/,
    );
  });

  it('waits no longer than the request timeout, whatever Retry-After says', { timeout: 5000 }, async () => {
    run++;
    fake.faults = ['429-day'];
    const t0 = performance.now();
    const r = await gen({ users: [52], histories: [Int32Array.from([1])], endpoint: cfg({ timeoutMs: 200 }) });
    expect(r.profiles.length).toBe(1);
    expect(performance.now() - t0).toBeLessThan(2000);
    fake.faults = ['429-day', '429-day'];
    const err = await gen({ users: [53], histories: [Int32Array.from([1])], endpoint: cfg({ timeoutMs: 50, retries: 1 }) }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/failed after 2 attempts; last: HTTP 429: come back tomorrow \(Retry-After: 86400\)/);
  });

  it('honours Retry-After as an HTTP date', async () => {
    run++;
    fake.faults = ['503-date'];
    const t0 = performance.now();
    await gen({ users: [54], histories: [Int32Array.from([1])] });
    expect(performance.now() - t0).toBeGreaterThan(300); // 0.5–1.5 s (the date has whole seconds); the backoff alone is 5 ms
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z'))).toBe(60_000);
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('does not retry an error retrying cannot fix (401)', async () => {
    run++;
    fake.faults = ['401'];
    await expect(gen({ users: [40], histories: [Int32Array.from([2])] })).rejects.toThrow(/HTTP 401: bad key/);
    expect(fake.seen.length).toBe(1);
  });
});

describe('profiles embed (embeddings)', () => {
  it('embeds in batches (answers matched by index), caches per text, reduces by PCA and writes .npy + user ids', async () => {
    const texts = ['alpha one', 'beta 22', 'gamma three e', 'delta 4444', 'epsilon'];
    const cachePath = join(dir, 'emb.jsonl');
    const r = await embedTexts({ texts, endpoint: cfg({ model: 'tiny-embed' }), concurrency: 2, batch: 2, cachePath });
    expect(r.requests).toBe(3);
    expect(r.dim).toBe(6);
    expect(Array.from(r.vectors.subarray(6, 12))).toEqual([7, 1, 2, 'b'.charCodeAt(0), 2, 1]);
    fake.faults = ['500', '500', '500', '500', '500'];
    const again = await embedTexts({ texts, endpoint: cfg({ model: 'tiny-embed' }), concurrency: 2, batch: 2, cachePath });
    expect(again.requests).toBe(0);
    const red = reduceDim(r.vectors, 5, 6, 2);
    writeProfiles(join(dir, 'p'), [5, 6, 7, 8, 9], red.vectors, red.dim);
    expect(readNpy(join(dir, 'p.npy')).shape).toEqual([5, 2]);
    const t = loadProfiles(join(dir, 'p'), [9, 1, 5]);
    expect(Array.from(t.rowOf)).toEqual([4, -1, 0]);
    expect(t.matched).toBe(2);
  });

  it('names the URL and the texts when an embeddings body is cut short every time', async () => {
    fake.faults = ['cut', 'cut'];
    const err = await embedTexts({
      texts: ['cut one', 'cut two'],
      endpoint: cfg({ retries: 1 }),
      concurrency: 1,
      batch: 2,
      cachePath: join(dir, 'cut.jsonl'),
    }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^texts 0, 1: http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings: failed after 2 attempts; last: HTTP 200 body cut short/);
  });

  it('rejects an empty profiles file, duplicate users and unusable profile arrays, naming the file', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n');
    expect(() => readProfileTexts(empty)).toThrow(`${empty}: no profiles`);
    await expect(embedTexts({ texts: [], endpoint: cfg(), concurrency: 1, batch: 1, cachePath: join(dir, 'none.jsonl') })).rejects.toThrow(/no texts to embed/);
    const twice = join(dir, 'twice.jsonl');
    writeFileSync(twice, '{"user": 4, "profile": "a"}\n{"user": 5, "profile": "b"}\n{"user": 4, "profile": "c"}\n');
    expect(() => readProfileTexts(twice)).toThrow(`${twice}: user 4 is at line 1 and again at line 3`);
    const dup = join(dir, 'dup');
    writeProfiles(dup, [7, 8, 9, 8], new Float32Array(8), 2);
    expect(() => loadProfiles(dup, [7, 8])).toThrow(`${dup}.users.npy: user 8 is at row 1 and again at row 3`);
    const none = join(dir, 'none');
    writeProfiles(none, [], new Float32Array(0), 2);
    expect(() => loadProfiles(none, [7])).toThrow(`${none}.npy: no profiles (shape [0, 2])`);
    const flat = join(dir, 'flat');
    writeProfiles(flat, [1, 2], new Float32Array(4), 2);
    writeNpy(`${flat}.users.npy`, { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) });
    expect(() => loadProfiles(flat, [1])).toThrow(`${flat}.users.npy: expected a 1-D int64 array, got float32 [2]`);
  });

  it('survives a cache file cut mid-line', async () => {
    const cachePath = join(dir, 'torn.jsonl');
    await embedTexts({ texts: ['x1'], endpoint: cfg(), concurrency: 1, batch: 1, cachePath });
    const { appendFileSync } = await import('node:fs');
    appendFileSync(cachePath, '{"key": "abc", "value": [1, 2');
    const r = await embedTexts({ texts: ['x1', 'y2'], endpoint: cfg(), concurrency: 1, batch: 1, cachePath });
    expect(r.requests).toBe(1);
    expect(readFileSync(cachePath, 'utf8').trim().split('\n').length).toBe(3);
  });
});

describe('offline attribute profiles (TF-IDF + truncated SVD)', () => {
  it('computes smooth TF-IDF with L2-normalised rows', () => {
    const attrs = parseItemAttributes('{"1": [0, 1], "2": [1], "3": [2]}');
    const x = tfidf([[1, 2], [3], [1]], attrs);
    // user 0: tokens 0:1, 1:2 → tf 1/3, 2/3; df: t0 2, t1 2, t2 1; idf = ln(4/3)+1, ln(4/3)+1, ln(4/2)+1
    const i01 = Math.log(4 / 3) + 1;
    const u0 = [(1 / 3) * i01, (2 / 3) * i01],
      n0 = Math.hypot(...u0);
    expect(Array.from(x.values.subarray(0, 2))).toEqual(u0.map((v) => v / n0).map((v) => expect.closeTo(v, 12)) as unknown as number[]);
    expect(Array.from(x.indptr)).toEqual([0, 2, 3, 5]);
    expect(() => parseItemAttributes('{"x": [1]}', 'attrs.json')).toThrow(/attrs.json: key 'x' is not a positive integer item id/);
  });

  it('the randomised SVD finds the exact leading singular values', () => {
    const attrs = new Map(Array.from({ length: 40 }, (_, i) => [i + 1, [i % 7, 7 + (i % 5), 12 + (i % 3)]] as [number, number[]]));
    const hist = Array.from({ length: 60 }, (_, u) => Array.from({ length: 3 + (u % 5) }, (_, k) => 1 + ((u * 7 + k * 13) % 40)));
    const x = tfidf(hist, attrs),
      d = x.cols;
    const gram = new Float64Array(d * d); // XᵀX, exact
    for (let r = 0; r < x.rows; r++)
      for (let p = x.indptr[r]!; p < x.indptr[r + 1]!; p++)
        for (let q = x.indptr[r]!; q < x.indptr[r + 1]!; q++) gram[x.indices[p]! * d + x.indices[q]!] += x.values[p]! * x.values[q]!;
    const exact = symmetricEigen(gram, d).values.slice(0, 4).map(Math.sqrt);
    const us = truncatedSvd(x, 4);
    const sv = [0, 1, 2, 3].map((j) => Math.hypot(...Array.from({ length: x.rows }, (_, r) => us[r * 4 + j]!)));
    sv.forEach((s, j) => expect(s).toBeCloseTo(exact[j]!, 6));
    expect(attributeProfiles(hist, attrs, 4)).toEqual(attributeProfiles(hist, attrs, 4)); // seeded: reproducible
  });
});
