import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromFloat16Bits, readNpy, writeNpy } from '../ts/io/npy.js';
import { evaluateEmbeddings } from '../ts/ubp/universal.js';
import { Rng } from '../ts/index.js';
import { expectClose, useWebGpu } from './harness.js';
import { writeSubmission } from '../ts/ubp/export.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-sub-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ids = (...v: number[]): BigInt64Array => BigInt64Array.from(v.map(BigInt));

useWebGpu();

describe('submission export', () => {
  it('writes int64 ids and float16 embeddings', () => {
    writeSubmission(join(dir, 'ok'), ids(3, 1, 2), Float32Array.from([1, 2, 3, 4, 5, 6]), 2, ids(1, 2, 3));
    expect(Array.from(readNpy(join(dir, 'ok', 'client_ids.npy')).data as BigInt64Array)).toEqual([3n, 1n, 2n]);
    const e = readNpy(join(dir, 'ok', 'embeddings.npy'));
    expect([e.dtype, ...e.shape]).toEqual(['float16', 3, 2]);
    expect(Array.from(fromFloat16Bits(e.data as Uint16Array))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects what the challenge would, and writes nothing', () => {
    const bad = join(dir, 'bad');
    expect(() => writeSubmission(bad, ids(1, 2), Float32Array.from([1, NaN]), 1, ids(1, 2))).toThrow(/row 1 \(client 2\) column 0 is NaN/);
    expect(() => writeSubmission(bad, ids(1, 2), Float32Array.from([1, 70000]), 1, ids(1, 2))).toThrow(
      /row 1 \(client 2\) column 0 is 70000, which is not finite in float16/,
    );
    expect(() => writeSubmission(bad, ids(1, 1), Float32Array.from([1, 2]), 1, ids(1, 2))).toThrow(/submission: client 1 is at row 0 and again at row 1/);
    expect(() => writeSubmission(bad, ids(1, 9), Float32Array.from([1, 2]), 1, ids(1, 2))).toThrow(/submission: client 9 at row 1 is not a relevant client/);
    expect(() => writeSubmission(bad, ids(1), Float32Array.from([1]), 1, ids(1, 2))).toThrow(
      /submission: relevant client 2 \(row 1 of the relevant clients\) is missing; 1 of 2 relevant clients have no row/,
    );
    expect(() => writeSubmission(bad, ids(1), new Float32Array(2049), 2049, ids(1))).toThrow(/2049 columns; the challenge takes 1 to 2048/);
    expect(existsSync(bad)).toBe(false);
  });
});

describe('challenge evaluation', () => {
  it('an embedding that carries the answer scores near 1; noise scores near 0.5', async () => {
    // 400 clients; churn and conversion labels planted; 3 propensity targets.
    const n = 400,
      rng = new Rng(2),
      data = join(dir, 'eval'),
      targets = join(data, 'targets');
    const relevant = BigInt64Array.from({ length: n }, (_, i) => BigInt(1000 + i));
    const label = Float32Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
    for (const d of ['train_target', 'validation_target']) mkdirSync(join(targets, d), { recursive: true });
    writeNpy(join(data, 'relevant_clients.npy'), { dtype: 'int64', shape: [n], data: relevant });
    writeNpy(join(targets, 'active_clients.npy'), { dtype: 'int64', shape: [n], data: relevant });
    for (const split of ['train_target', 'validation_target']) {
      writeNpy(join(targets, split, 'churn.npy'), { dtype: 'float32', shape: [n], data: label });
      writeNpy(join(targets, split, 'conversion.npy'), { dtype: 'float32', shape: [n], data: label });
      for (const [k, w] of [
        ['category', 3],
        ['sku', 3],
        ['new_sku', 3],
        ['price', 100],
      ] as const)
        writeNpy(join(targets, split, `${k}.npy`), {
          dtype: 'float32',
          shape: [n, w],
          data: Float32Array.from({ length: n * w }, (_, i) => (i % w === 0 ? label[Math.floor(i / w)]! : 0)),
        });
    }
    for (const [k, w] of [
      ['category', 3],
      ['sku', 3],
      ['new_sku', 3],
      ['price', 100],
    ] as const) {
      writeNpy(join(targets, `propensity_${k}.npy`), { dtype: 'int64', shape: [w], data: BigInt64Array.from({ length: w }, (_, i) => BigInt(i)) });
      writeNpy(join(targets, `popularity_propensity_${k}.npy`), { dtype: 'float32', shape: [w], data: new Float32Array(w).fill(1 / w) });
    }
    const write = (name: string, f: (i: number) => number[]): void =>
      writeSubmission(
        join(dir, name),
        relevant,
        Float32Array.from({ length: n * 4 }, (_, j) => f(Math.floor(j / 4))[j % 4]!),
        4,
        relevant,
      );
    const aurocs = async (name: string, backend?: string): Promise<number[]> =>
      (await evaluateEmbeddings({ targets, data, embeddings: join(dir, name), hidden: 32, inner: 64, epochs: 3, lr: 3e-3, backend }))
        .filter((r) => r.task === 'churn' || r.task.startsWith('conversion'))
        .map((r) => r.auroc);
    write('leak', (i) => [label[i]!, 1 - label[i]!, rng.normal() * 0.1, 0]);
    write('noise', () => [rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
    const leak = await aurocs('leak');
    for (const a of leak) expect(a).toBeGreaterThan(0.95);
    for (const a of await aurocs('noise')) expect(Math.abs(a - 0.5)).toBeLessThan(0.15);
    // The universal network trains on webgpu to the same scores (float32 rounding apart).
    expectClose(await aurocs('leak', 'webgpu'), leak, 1e-3, 0, 'AUROC with the network trained on webgpu');
  });
});
