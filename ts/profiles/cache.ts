// A disk cache of finished requests: one JSON line per result, appended (and flushed) as each
// finishes, keyed by a hash of what was asked (user, prompt, model), so an interrupted run
// resumes where it stopped and a rerun of the same requests costs nothing. A torn last line
// (a crash mid-write) is ignored on load.
import { appendFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { onFile, readText } from '../io/files.js';

export function cacheKey(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex');
}

export class DiskCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const text = readText(path);
    if (text && !text.endsWith('\n')) onFile(path, () => appendFileSync(path, '\n')); // end a torn line before appending after it
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const { key, value } = JSON.parse(line) as { key: string; value: V };
        if (typeof key === 'string') this.entries.set(key, value);
      } catch {
        // a line cut short by an interruption: that request is simply redone
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.set(key, value);
    onFile(this.path, () => appendFileSync(this.path, `${JSON.stringify({ key, value })}\n`));
  }
}
