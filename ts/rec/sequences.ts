// User sequences for the recommenders, in the format of Amazon Beauty's Beauty.txt
// (S3Rec/ICLRec's 5-core files): one line per user, "uid i1 i2 ..." with items in time order,
// item ids from 1. Leave-one-out split: the last item is the test target (input: everything
// before it), the one before it the validation target (input: everything before that), and
// training sees the rest. Users with fewer than 3 items cannot be split and are an error
// naming the line, as is any id that is not a positive integer, an item id above
// MAX_ITEM_ID, and a user on two lines (both lines named).
import { readText, textLines } from '../io/files.js';
import { uniqueIndex } from '../data/inputs.js';

/**
 * The largest item id accepted. Ids index the item embedding table and every row of scores
 * directly (the item count is the largest id + 1), so they must be dense: 2^31 − 1 would ask
 * for a table of 2^31 rows ("Invalid typed array length"), and 2^24 rows of 64 float32 columns
 * are already 4 GiB. Sparse ids are to be renumbered 1..N first.
 */
export const MAX_ITEM_ID = 2 ** 24;

/** The item id, checked against MAX_ITEM_ID; `where` names the file and line. */
export function checkItemId(item: number, where: string): number {
  if (item > MAX_ITEM_ID) throw new Error(`${where}: item id ${item} is above ${MAX_ITEM_ID} (ids size the item table: renumber the items 1..N)`);
  return item;
}

export interface UserSequences {
  users: number[];
  sequences: Int32Array[];
  /** One more than the largest item id (id 0 is padding). */
  items: number;
}

export function parseSequences(text: string, file = '<text>'): UserSequences {
  const users: number[] = [],
    lines: number[] = [],
    sequences: Int32Array[] = [];
  let items = 1;
  // Split at '\n' alone, "1 2 3 4\r2 3 4 5" would be one user with 7 items.
  textLines(text).forEach((line, k) => {
    if (!line.trim()) return;
    const parts = line.trim().split(/\s+/);
    const ids = parts.map((p, j) => {
      const v = Number(p);
      if (!/^\d+$/.test(p) || v < 1 || !Number.isSafeInteger(v)) throw new Error(`${file}:${k + 1}: field ${j + 1} ('${p}') is not a positive integer id`);
      return j ? checkItemId(v, `${file}:${k + 1}: field ${j + 1}`) : v;
    });
    if (ids.length < 4) throw new Error(`${file}:${k + 1}: user ${ids[0]} has ${ids.length - 1} item(s); leave-one-out needs at least 3`);
    users.push(ids[0]!);
    lines.push(k + 1);
    const seq = Int32Array.from(ids.slice(1));
    for (const i of seq) if (i >= items) items = i + 1;
    sequences.push(seq);
  });
  if (!sequences.length) throw new Error(`${file}: no users`);
  // One line per user: a second line would be a second user with the same id.
  uniqueIndex(users, file, 'user', (i) => `line ${lines[i]}`);
  return { users, sequences, items };
}

export function readSequences(path: string): UserSequences {
  return parseSequences(readText(path), path);
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
