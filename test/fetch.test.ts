// seqcore data fetch against a local HTTP server serving a small fixture: the checksum is
// verified, an interrupted download resumes with a Range request, a server that ignores Range
// still gives the right file, and a bad or missing file is an error that keeps nothing.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFiles, type DatasetFile } from '../ts/data/fetch.js';
import { Rng } from '../ts/rng.js';

const rng = new Rng(5);
const body = Buffer.from(Uint8Array.from({ length: 300_000 }, () => rng.int(256)));
const file: DatasetFile = { name: 'items.txt', url: '', bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };

/** How the server answers: whether it honours Range, and how many first answers it cuts short. */
const mode = { range: true, cut: 0 };
const seen: { url: string; range?: string }[] = [];
let server: Server, base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url!, range: req.headers.range });
    if (!req.url!.startsWith('/good/')) {
      if (req.url!.startsWith('/missing/')) return void res.writeHead(404).end('not here');
      return void res.writeHead(200).end('not the file you are looking for'); // /bad/: wrong bytes
    }
    const m = mode.range ? /^bytes=(\d+)-$/.exec(req.headers.range ?? '') : null;
    const from = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, { 'content-length': body.length - from });
    if (mode.cut > 0) {
      mode.cut--;
      res.write(body.subarray(from, from + 100_000), () => res.destroy()); // the connection drops mid-file
      return;
    }
    res.end(body.subarray(from));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const fresh = (): string => mkdtempSync(join(tmpdir(), 'seqcore-fetch-'));

describe('data fetch', () => {
  it('downloads, verifies the checksum and leaves no partial file; a second fetch finds it there', async () => {
    const dir = fresh(),
      lines: string[] = [];
    seen.length = 0;
    const [path] = await fetchFiles([file], { dir, baseUrl: `${base}/good`, log: (l) => lines.push(l) });
    expect(readFileSync(path!).equals(body)).toBe(true);
    expect(existsSync(`${path}.part`)).toBe(false);
    expect(lines.at(-1)).toBe(`items.txt: ${body.length} bytes, checksum verified`);
    await fetchFiles([file], { dir, baseUrl: `${base}/good`, log: (l) => lines.push(l) });
    expect(lines.at(-1)).toBe('items.txt: already there, checksum verified');
    expect(seen).toHaveLength(1);
  });

  it('a dropped connection is retried, each retry resuming after the bytes it has', async () => {
    const dir = fresh();
    seen.length = 0;
    mode.cut = 2;
    const [path] = await fetchFiles([file], { dir, baseUrl: `${base}/good` });
    expect(readFileSync(path!).equals(body)).toBe(true);
    // Each retry asks for the bytes after those it has. How many arrived before each drop depends
    // on timing (none, on a loaded machine), so this asks only that no retry goes backwards; the
    // next test shows a partial file resumed from its exact size.
    const from = seen.map((s) => Number(/^bytes=(\d+)-$/.exec(s.range ?? 'bytes=0-')![1]));
    expect(from).toHaveLength(3);
    expect(from[1]).toBeGreaterThanOrEqual(from[0]!);
    expect(from[2]).toBeGreaterThanOrEqual(from[1]!);
  });

  it('a partial file from an earlier run is resumed; a server that ignores Range gives the whole file again', async () => {
    for (const range of [true, false]) {
      const dir = fresh();
      writeFileSync(join(dir, 'items.txt.part'), body.subarray(0, 123_456));
      seen.length = 0;
      mode.range = range;
      const [path] = await fetchFiles([file], { dir, baseUrl: `${base}/good` });
      mode.range = true;
      expect(readFileSync(path!).equals(body), `range ${range}`).toBe(true);
      expect(seen[0]!.range).toBe('bytes=123456-');
    }
  });

  it('wrong bytes: a checksum error naming the URL, and nothing kept', async () => {
    const dir = fresh();
    await expect(fetchFiles([file], { dir, baseUrl: `${base}/bad` })).rejects.toThrow(
      new RegExp(
        `${base}/bad/items.txt: checksum mismatch \\(32 bytes, SHA-256 [0-9a-f]{64}; expected ${body.length} bytes, ${file.sha256}\\); nothing was kept`,
      ),
    );
    expect(existsSync(join(dir, 'items.txt'))).toBe(false);
    expect(existsSync(join(dir, 'items.txt.part'))).toBe(false);
  });

  it('HTTP 404 fails at once (no retries), naming the URL and the status', async () => {
    seen.length = 0;
    await expect(fetchFiles([file], { dir: fresh(), baseUrl: `${base}/missing` })).rejects.toThrow(
      `fetching ${base}/missing/items.txt: ${base}/missing/items.txt: HTTP 404`,
    );
    expect(seen).toHaveLength(1);
  });

  it('seqcore data fetch amazon-beauty from a mirror with the wrong bytes: exit 1, naming the file', async () => {
    // asynchronously: the server answering it runs in this process
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const c = spawn(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', 'data', 'fetch', 'amazon-beauty', '--mirror', `${base}/bad`, '--into', fresh()]);
      let stderr = '';
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('close', (code) => done({ code, stderr }));
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`${base}/bad/Beauty.txt: checksum mismatch`);
  }, 30_000);
});
