// User sequences for the recommenders, in the format of ../shared/data/amazon-beauty/Beauty.txt
// (S3Rec/ICLRec's 5-core files): one line per user, "uid i1 i2 ..." with items in time order,
// item ids from 1. Leave-one-out split: the last item is the test target (input: everything
// before it), the one before it the validation target (input: everything before that), and
// training sees the rest. Users with fewer than 3 items cannot be split and are an error
// naming the line, as is any id that is not a positive integer.
import { readFileSync } from 'node:fs';

export interface UserSequences {
  users: number[];
  sequences: Int32Array[];
  /** One more than the largest item id (id 0 is padding). */
  items: number;
}

export function parseSequences(text: string, file = '<text>'): UserSequences {
  const users: number[] = [], sequences: Int32Array[] = [];
  let items = 1;
  text.split('\n').forEach((line, k) => {
    if (!line.trim()) return;
    const parts = line.trim().split(/\s+/);
    const ids = parts.map((p, j) => {
      const v = Number(p);
      if (!/^\d+$/.test(p) || v < 1 || v > 0x7fffffff) throw new Error(`${file}:${k + 1}: field ${j + 1} ('${p}') is not a positive integer id`);
      return v;
    });
    if (ids.length < 4) throw new Error(`${file}:${k + 1}: user ${ids[0]} has ${ids.length - 1} item(s); leave-one-out needs at least 3`);
    users.push(ids[0]!);
    const seq = Int32Array.from(ids.slice(1));
    for (const i of seq) if (i >= items) items = i + 1;
    sequences.push(seq);
  });
  if (!sequences.length) throw new Error(`${file}: no users`);
  return { users, sequences, items };
}

export function readSequences(path: string): UserSequences {
  return parseSequences(readFileSync(path, 'utf8'), path);
}

export interface LeaveOneOut {
  /** Training sequences (all but the last two items). */
  train: Int32Array[];
  /** Validation: input (all but the last two) → target (the second to last). */
  valid: { input: Int32Array; target: number }[];
  /** Test: input (all but the last) → target (the last). */
  test: { input: Int32Array; target: number }[];
}

export function leaveOneOut(s: UserSequences): LeaveOneOut {
  return {
    train: s.sequences.map((q) => q.subarray(0, q.length - 2)),
    valid: s.sequences.map((q) => ({ input: q.subarray(0, q.length - 2), target: q[q.length - 2]! })),
    test: s.sequences.map((q) => ({ input: q.subarray(0, q.length - 1), target: q[q.length - 1]! })),
  };
}
