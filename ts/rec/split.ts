// Evaluation splits for the recommenders. Leave-one-out (ts/rec/sequences.ts) needs only the
// order of each user's items; the temporal global split needs timestamps: an interactions CSV
// with a header and columns user,item,timestamp (any order of rows).
//   temporal: t_valid and t_test are the given quantiles of all timestamps. Training sees every
//   interaction before t_valid. Validation: users with history before t_valid and an item in
//   [t_valid, t_test) predict the first such item from their history before t_valid. Test:
//   users with history before t_test and an item at or after t_test predict the first such
//   item from everything before t_test.
import { readText } from '../io/files.js';
import type { EvalCase } from './evaluate.js';
import { checkItemId, leaveOneOut, type UserSequences } from './sequences.js';

export interface RecSplit {
  kind: 'loo' | 'temporal';
  /** Per user (index), the sequence training sees. */
  train: Int32Array[];
  valid: EvalCase[];
  test: EvalCase[];
  users: number[];
  items: number;
}

export function looSplit(s: UserSequences): RecSplit {
  const l = leaveOneOut(s);
  return { kind: 'loo', train: l.train, valid: l.valid, test: l.test, users: s.users, items: s.items };
}

export interface Interactions {
  users: number[];
  /** Per user, items and timestamps in time order (ties keep file order). */
  items: Int32Array[];
  times: Float64Array[];
  itemCount: number;
}

export function parseInteractions(text: string, file = '<text>'): Interactions {
  const lines = text.split('\n');
  const header = lines[0]!
    .trim()
    .split(',')
    .map((h) => h.trim());
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}:1: the header needs a '${name}' column (found: ${header.join(', ')})`);
    return i;
  };
  const cu = col('user'),
    ci = col('item'),
    ct = col('timestamp');
  const byUser = new Map<number, { item: number; time: number; k: number }[]>();
  let itemCount = 1;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!.trim();
    if (!line) continue;
    const f = line.split(',');
    const num = (c: number, name: string, int: boolean): number => {
      const v = Number(f[c]);
      if (f[c] === undefined || f[c]!.trim() === '' || !Number.isFinite(v) || (int && (!Number.isSafeInteger(v) || v < 1)))
        throw new Error(`${file}:${k + 1}: field '${name}' ('${f[c] ?? ''}') is not ${int ? 'a positive integer id' : 'a number'}`);
      return v;
    };
    const u = num(cu, 'user', true),
      item = checkItemId(num(ci, 'item', true), `${file}:${k + 1}`),
      time = num(ct, 'timestamp', false);
    if (item >= itemCount) itemCount = item + 1;
    let list = byUser.get(u);
    if (!list) byUser.set(u, (list = []));
    list.push({ item, time, k });
  }
  if (!byUser.size) throw new Error(`${file}: no interactions`);
  const users = [...byUser.keys()].sort((a, b) => a - b);
  const sorted = users.map((u) => byUser.get(u)!.sort((a, b) => a.time - b.time || a.k - b.k));
  return { users, items: sorted.map((l) => Int32Array.from(l, (e) => e.item)), times: sorted.map((l) => Float64Array.from(l, (e) => e.time)), itemCount };
}

export function readInteractions(path: string): Interactions {
  return parseInteractions(readText(path), path);
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function temporalSplit(d: Interactions, validQuantile = 0.8, testQuantile = 0.9): RecSplit {
  if (!(validQuantile > 0 && validQuantile < testQuantile && testQuantile < 1))
    throw new RangeError(`temporal split: need 0 < valid quantile (${validQuantile}) < test quantile (${testQuantile}) < 1`);
  const all = Float64Array.from(d.times.flatMap((t) => Array.from(t))).sort();
  const tValid = quantile(all, validQuantile),
    tTest = quantile(all, testQuantile);
  const before = (u: number, t: number): Int32Array =>
    d.items[u]!.subarray(0, d.times[u]!.findIndex((x) => x >= t) < 0 ? d.items[u]!.length : d.times[u]!.findIndex((x) => x >= t));
  const train: Int32Array[] = [],
    valid: EvalCase[] = [],
    test: EvalCase[] = [];
  d.users.forEach((_, u) => {
    const tr = before(u, tValid);
    train.push(tr);
    const vi = d.times[u]!.findIndex((x) => x >= tValid && x < tTest);
    if (tr.length && vi >= 0) valid.push({ input: tr, target: d.items[u]![vi]! });
    const upTo = before(u, tTest);
    if (upTo.length && upTo.length < d.items[u]!.length) test.push({ input: upTo, target: d.items[u]![upTo.length]! });
  });
  if (!valid.length || !test.length)
    throw new Error(`temporal split: ${valid.length} validation and ${test.length} test users; the data has too few interactions after the cut-offs`);
  return { kind: 'temporal', train, valid, test, users: d.users, items: d.itemCount };
}
