// The README's TypeScript examples run as they are written (imports from 'seqcore' pointed at
// this checkout), so the manual cannot drift from the API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => ({ code: m[1]!, line: readme.slice(0, m.index).split('\n').length }));
// Inside the checkout, so that tsx and the imports resolve; removed afterwards.
const dir = mkdtempSync(join(process.cwd(), 'test', '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('has TypeScript examples', () => expect(blocks.length).toBeGreaterThanOrEqual(2));
  for (const { code, line } of blocks)
    it(`the example at README.md:${line} runs`, () => {
      const file = join(dir, `example-${line}.ts`);
      writeFileSync(file, code.replace(/from 'seqcore'/g, `from '${join(process.cwd(), 'ts', 'index.js')}'`));
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }, 60_000);
});
