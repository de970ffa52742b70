// The "short" structured profile prompt (SYSTEMS.md, System 2): a user's training history
// rendered with item text, oldest first, with the shares of its most frequent attributes,
// asking for preferences (with shares), behaviour and trends. Histories longer than `chunk`
// items are split into consecutive parts, each profiled by the same prompt, and the part
// profiles merged by a second prompt.

export interface ItemText {
  /** The text of an item (title, brand, category…), or null when there is none. */
  text(item: number): string | null;
  /** Attribute labels of an item (for the shares); empty when unknown. */
  attributes(item: number): string[];
}

/** Item text from a JSON object id → string or {title, brand, category, …}; attributes from id → [ids]. */
export function itemTextFrom(texts: Map<number, string> | null, attrs: Map<number, number[]> | null): ItemText {
  return {
    text: (i) => texts?.get(i) ?? null,
    attributes: (i) => (attrs?.get(i) ?? []).map((a) => `attribute ${a}`),
  };
}

function renderItem(items: ItemText, item: number): string {
  const t = items.text(item),
    a = items.attributes(item);
  return `${t ?? `item ${item}`}${a.length ? ` [${a.join(', ')}]` : ''}`;
}

/** Shares of the most frequent attributes of a history, e.g. "attribute 4 38%, attribute 1 25%". */
export function attributeShares(history: ArrayLike<number>, items: ItemText, top = 5): string {
  const counts = new Map<string, number>();
  let n = 0;
  for (const i of Array.from(history))
    for (const a of items.attributes(i)) {
      counts.set(a, (counts.get(a) ?? 0) + 1);
      n++;
    }
  if (!n) return 'none known';
  return [...counts]
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, top)
    .map(([a, c]) => `${a} ${Math.round((100 * c) / n)}%`)
    .join(', ');
}

const STRUCTURE = `Write a short profile of this user with exactly these three lines:
Preferences: the kinds of products, brands or attributes they choose, each with its approximate share of the history.
Behaviour: how they shop (repeat purchases, variety, loyalty to brands).
Trends: how their interests changed from the oldest to the newest items.
Use at most 100 words. Do not list the items.`;

export function profilePrompt(history: ArrayLike<number>, items: ItemText, part?: { index: number; of: number }): string {
  const h = Array.from(history);
  return [
    `Below is ${part ? `part ${part.index} of ${part.of} of ` : ''}the purchase history of one customer of an online beauty store, oldest first.`,
    ...h.map((i, k) => `${k + 1}. ${renderItem(items, i)}`),
    `Most frequent attributes: ${attributeShares(h, items)}.`,
    '',
    STRUCTURE,
  ].join('\n');
}

export function mergePrompt(parts: string[]): string {
  return [
    `Below are profiles of ${parts.length} consecutive parts of one customer's purchase history, oldest first.`,
    ...parts.map((p, k) => `Part ${k + 1}:\n${p}`),
    '',
    `Merge them into one profile of the whole history. ${STRUCTURE}`,
  ].join('\n');
}

/** Consecutive parts of at most `chunk` items (the last part may be shorter). */
export function splitHistory(history: Int32Array, chunk: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let s = 0; s < history.length; s += chunk) out.push(history.subarray(s, s + chunk));
  return out;
}
