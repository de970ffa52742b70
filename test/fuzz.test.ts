// Fuzzing the parsers of the files seqcore is given: .npy (ts/io/npy.ts), checkpoints and
// the column files under them (ts/train/checkpoint.ts, ts/io/columnar.ts), one-line-per-user
// sequence files (Beauty.txt, ts/rec/sequences.ts), and the challenge's code strings "[a b …]"
// that ts/data/duck.ts lets through to ingestion. Valid files are mutated (bytes overwritten,
// troublesome text inserted, the file cut, garbage appended, numbers made huge, length fields
// overwritten) and every parse must return a valid result or throw a plain Error that names the
// file: never a TypeError or RangeError from inside, an allocation sized by a corrupt header,
// or a hang. Seeded and bounded, so CI sees the same inputs each run in a few seconds; to
// explore further: FUZZ_SEED=$RANDOM FUZZ_RUNS=20000 npx vitest run test/fuzz.test.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkFile, codesOk, lit, openDuck } from '../ts/data/duck.js';
import { decodeNpy, encodeNpy, type NpyDtype } from '../ts/io/npy.js';
import { formatCodes } from '../ts/data/schema.js';
import { UBP_CONFIGS } from '../ts/ubp/model.js';
import { readSequences } from '../ts/rec/sequences.js';
import { loadCheckpoint, modelConfig, saveCheckpoint } from '../ts/train/checkpoint.js';

const SEED = Number(process.env.FUZZ_SEED ?? 15);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const params = (runs = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns: runs });
/** A few ms a run on a busy CI machine; a parse that hangs fails outcome()'s one-second check first. */
const TIMEOUT = 10_000 + 20 * RUNS;

const dir = mkdtempSync(join(tmpdir(), 'seqcore-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Mutation =
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'cut'; at: number }
  | { op: 'append'; bytes: Uint8Array }
  | { op: 'huge'; nth: number; text: string }
  | { op: 'u32'; at: number; value: number };

/** Text that parsers tend to trip on: separators, signs, exponents, other digits and spaces, quotes, brackets. */
const TOKENS = [
  '[',
  ']',
  ' ',
  '  ',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\f',
  '.',
  '_',
  '+',
  '-',
  'e',
  '0x',
  ',',
  '(',
  ')',
  "'",
  '"',
  '{',
  '}',
  ':',
  '\0',
  '\uFEFF',
  '\u00a0',
  '\u2028',
  '٣',
  '\uFFFD',
  '256',
  '007',
  '1e2',
  'null',
  'NaN',
  '"Infinity"',
];
const HUGE = [
  '0',
  '-1',
  '0.5',
  '255',
  '256',
  '65535',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '18446744073709551616',
  '1e308',
  '1e400',
  '99999999999999999999999999999999',
];
const position = fc.oneof(fc.nat({ max: 200 }), fc.nat()); // half the damage lands in the headers
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: position, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: position, text: fc.constantFrom(...TOKENS) }),
  fc.record({ op: fc.constant('cut' as const), at: position }),
  fc.record({ op: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ op: fc.constant('huge' as const), nth: fc.nat({ max: 40 }), text: fc.constantFrom(...HUGE) }),
  fc.record({ op: fc.constant('u32' as const), at: fc.nat({ max: 16 }), value: fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0xffffffff) }),
);
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

function mutate(src: Uint8Array, ms: readonly Mutation[]): Buffer {
  let b: Buffer = Buffer.from(src);
  const splice = (from: number, to: number, text: string | Uint8Array): Buffer => Buffer.concat([b.subarray(0, from), Buffer.from(text), b.subarray(to)]);
  for (const m of ms) {
    const p = 'at' in m ? m.at % (b.length + 1) : 0;
    if (m.op === 'set' && b.length) b[p % b.length] = m.byte;
    else if (m.op === 'insert') b = splice(p, p, m.text);
    else if (m.op === 'cut') b = b.subarray(0, p);
    else if (m.op === 'append') b = splice(b.length, b.length, m.bytes);
    else if (m.op === 'u32' && b.length >= m.at + 4) b.writeUInt32LE(m.value, m.at);
    else if (m.op === 'huge') {
      // the nth run of digits (wrapping) becomes a huge or odd number
      const runs = [...b.toString('latin1', 0, 4096).matchAll(/\d+/g)];
      const r = runs[m.nth % Math.max(1, runs.length)];
      if (r) b = splice(r.index, r.index + r[0].length, m.text);
    }
  }
  return b;
}

/** parse() must return (valid: checked by the caller) or throw a plain Error starting with `file`, within a second. */
function outcome<T>(file: string, parse: () => T): T | undefined {
  const t0 = performance.now();
  let result: T | undefined;
  try {
    result = parse();
  } catch (e) {
    if (!(e instanceof Error) || e.constructor !== Error)
      throw new Error(`${(e as Error)?.constructor?.name ?? typeof e} instead of a plain Error: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    if (!e.message.startsWith(file)) throw new Error(`the error does not name ${file}: ${e.message}`, { cause: e });
  }
  const ms = performance.now() - t0;
  if (ms > 1000) throw new Error(`the parse took ${ms.toFixed(0)} ms`);
  return result;
}

const product = (shape: readonly number[]): number => shape.reduce((p, n) => p * n, 1);
const validShape = (shape: readonly number[]): boolean => shape.every((n) => Number.isSafeInteger(n) && n >= 0);

describe('.npy (decodeNpy)', () => {
  const CTOR = { int64: BigInt64Array, int32: Int32Array, float32: Float32Array, float16: Uint16Array };
  const npy = fc
    .record({
      dtype: fc.constantFrom<NpyDtype>('int64', 'int32', 'float32', 'float16'),
      shape: fc.oneof(fc.tuple(fc.nat({ max: 6 })), fc.tuple(fc.nat({ max: 4 }), fc.nat({ max: 4 }))),
      major: fc.constantFrom(1, 2, 3),
    })
    .map(({ dtype, shape, major }) => {
      const bytes = Uint8Array.from({ length: product(shape) * CTOR[dtype].BYTES_PER_ELEMENT }, (_, i) => (i * 37 + 11) & 255);
      const v1 = Buffer.from(encodeNpy({ dtype, shape: [...shape], data: new CTOR[dtype](bytes.buffer) as never }));
      if (major === 1) return v1;
      // 2.0 and 3.0: the same header behind a u32 length
      const hlen = v1.readUInt16LE(8),
        pre = Buffer.alloc(12);
      v1.copy(pre, 0, 0, 8);
      pre[6] = major;
      pre.writeUInt32LE(hlen, 8);
      return Buffer.concat([pre, v1.subarray(10)]);
    });

  it(
    'mutated files: a valid array or an error naming the file',
    () => {
      fc.assert(
        fc.property(npy, mutations, (file, ms) => {
          const a = outcome('x.npy', () => decodeNpy(mutate(file, ms), 'x.npy'));
          if (!a) return;
          expect(a.shape.length === 1 || a.shape.length === 2).toBe(true);
          expect(validShape(a.shape)).toBe(true);
          expect(a.data).toBeInstanceOf(CTOR[a.dtype]);
          expect(a.data.length).toBe(product(a.shape));
        }),
        params(3 * RUNS),
      );
    },
    3 * TIMEOUT,
  );

  it("a header length over NumPy's limit is refused before the header is decoded", () => {
    const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0]);
    pre.writeUInt32LE(20_000, 8);
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
    const file = Buffer.concat([pre, Buffer.from(dict.padEnd(19_999) + '\n'), Buffer.alloc(4)]);
    expect(() => decodeNpy(file, 'big.npy')).toThrow('big.npy: malformed header: header length 20000 is over 10000 bytes');
  });
});

describe('checkpoints and column files (loadCheckpoint, modelConfig)', () => {
  const REC = { kind: 'sasrec', items: 30, hidden: 8, blocks: 1, heads: 2, maxLen: 6, dropout: 0.5, attentionDropout: 0, ffnMultiplier: 1, activation: 'gelu' };
  const valid = join(dir, 'valid.ckpt'),
    path = join(dir, 'fuzzed.ckpt');
  const checkpoint = fc
    .record({
      arrays: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom('model.w', 'model.b', 'adam.0.m', 'adam.0.v'),
          shape: fc.oneof(fc.tuple(fc.nat({ max: 5 })), fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 }))),
        }),
        { selector: (a) => a.name, maxLength: 3 },
      ),
      config: fc.constantFrom<Record<string, unknown>>(REC, UBP_CONFIGS.small),
      best: fc.constantFrom(Infinity, -Infinity, 0.25),
    })
    .map(({ arrays, config, best }) => {
      saveCheckpoint(valid, {
        meta: { epoch: 2, bestVal: best, config },
        arrays: new Map(arrays.map(({ name, shape }) => [name, { shape: [...shape], data: Float32Array.from({ length: product(shape) }, (_, i) => i / 7) }])),
      });
      return readFileSync(valid);
    });

  it(
    'mutated files: a consistent checkpoint and config, or an error naming the file',
    () => {
      fc.assert(
        fc.property(checkpoint, mutations, (file, ms) => {
          writeFileSync(path, mutate(file, ms));
          const ck = outcome(path, () => loadCheckpoint(path));
          if (!ck) return;
          for (const { shape, data } of ck.arrays.values()) {
            expect(data).toBeInstanceOf(Float32Array);
            expect(validShape(shape) && product(shape) === data.length).toBe(true);
          }
          for (const family of ['rec', 'ubp'] as const) outcome(path, () => modelConfig(path, ck, family));
        }),
        params(),
      );
    },
    TIMEOUT,
  );
});

describe('one line per user (readSequences, Beauty.txt)', () => {
  const path = join(dir, 'Beauty.txt');
  const beauty = fc
    .array(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 3, maxLength: 8 }), { minLength: 1, maxLength: 8 })
    .map((seqs) => Buffer.from(`${seqs.map((s, u) => `${u + 1} ${s.join(' ')}`).join('\n')}\n`));

  it(
    'mutated files: one user per line, every id read once, or an error naming the file',
    () => {
      fc.assert(
        fc.property(beauty, mutations, (file, ms) => {
          const bytes = mutate(file, ms);
          writeFileSync(path, bytes);
          const s = outcome(path, () => readSequences(path));
          if (!s) return;
          // Independent of the parser: each non-blank line (any line break) is a user, each run of digits one id.
          const text = bytes.toString('utf8');
          expect(s.users.length).toBe(text.split(/\r\n|\r|\n/).filter((l) => l.trim()).length);
          expect(s.users.length + s.sequences.reduce((n, q) => n + q.length, 0)).toBe(text.match(/\d+/g)!.length);
          expect(s.users.every((u) => Number.isSafeInteger(u) && u >= 1)).toBe(true);
          let max = 0;
          for (const q of s.sequences) {
            expect(q.length).toBeGreaterThanOrEqual(3);
            for (const i of q) {
              expect(i).toBeGreaterThanOrEqual(1);
              max = Math.max(max, i);
            }
          }
          expect(s.items).toBe(max + 1);
        }),
        params(),
      );
    },
    TIMEOUT,
  );
});

describe('code strings "[a b …]" (duck.ts checkFile)', () => {
  let conn: DuckDBConnection, close: () => void;
  beforeAll(async () => ({ conn, close } = await openDuck()));
  afterAll(() => close());

  /** What ingestion does with an accepted string (ingest.ts readSequences): the text between the brackets, split at single spaces, each a number. */
  const ingestible = (s: string): boolean => {
    const parts = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1).split(' ') : [];
    return parts.length === 16 && parts.every((p) => /^[0-9]+$/.test(p) && Number(p) <= 255);
  };
  const codes = fc
    .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(mutation, { maxLength: 3 }))
    .map(([c, ms]) => mutate(Buffer.from(formatCodes(c)), ms).toString('utf8'));

  it(
    'accepted exactly when ingestion reads 16 codes 0..255 from it',
    async () => {
      await fc.assert(
        fc.asyncProperty(codes, async (s) => {
          const ok = (await conn.runAndReadAll(`SELECT coalesce(${codesOk('$1::VARCHAR')}, false) AS ok`, [s])).getRowObjects()[0]!.ok;
          expect(ok, JSON.stringify(s)).toBe(ingestible(s));
        }),
        params(),
      );
    },
    TIMEOUT,
  );

  it('checkFile names the file, the row and the column of a string ingestion would misread', async () => {
    const valid = formatCodes(Array.from({ length: 16 }, (_, i) => i * 16));
    for (const bad of [valid.replace(' 16 ', ' 5.7 '), valid.replace(' 32 ', ' 1_0 '), `[${valid}]`]) {
      const d = mkdtempSync(join(dir, 'codes-')),
        file = join(d, 'search_query.parquet');
      await conn.run(
        "COPY (SELECT * FROM (VALUES (1::BIGINT, '2024-01-01 00:00:00', $1), (2::BIGINT, '2024-01-01 00:00:01', $2)) " +
          `t(client_id, timestamp, query)) TO ${lit(file)} (FORMAT parquet)`,
        [valid, bad],
      );
      await expect(checkFile(conn, d, 'search_query')).rejects.toThrow(`${file} row 1: column 'query' value '${bad}' is not 16 codes 0..255`);
    }
  });
});
