// Length-bucketed packed batches from an event cache: clients are sorted by length and cut
// into batches of similar lengths (little padding would exist even if one padded), each
// batch packed time-major (sequence/layout.ts) with a start and an end token around the
// last `maxEvents` events. Memory: the cached fields plus one batch.
import { Rng } from '../rng.js';
import { PackedLayout } from '../sequence/layout.js';
import { TOKEN, type EventCache, type Field } from '../data/ingest.js';

export interface BatchOptions {
  batchSize: number;
  fields: readonly Field[];
  /** Events kept per client (the last ones); sequences are this + 2 tokens long at most. */
  maxEvents?: number;
  /** Cache indices of the clients to use (default: all). */
  clients?: Int32Array;
  /** Shuffles the order of the batches (not their content). */
  rng?: Rng;
}

export interface Batch {
  /** Cache indices of the batch's clients, in input order of the layout. */
  clients: Int32Array;
  layout: PackedLayout;
  /** Packed token ids per field (layout.total each). */
  ids: Record<string, Int32Array>;
}

export function* batches(cache: EventCache, o: BatchOptions): Generator<Batch> {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new RangeError(`batches: batchSize must be a positive integer, got ${o.batchSize}`);
  const maxEvents = o.maxEvents ?? 126;
  const data = Object.fromEntries(o.fields.map((f) => [f, cache.field(f)]));
  const pool = o.clients ?? Int32Array.from(cache.clients.keys());
  const order = Array.from(pool).sort((a, b) => cache.length(a) - cache.length(b) || a - b);
  const starts: number[] = [];
  for (let i = 0; i < order.length; i += o.batchSize) starts.push(i);
  if (o.rng) o.rng.shuffle(starts);
  for (const s of starts) {
    const clients = Int32Array.from(order.slice(s, s + o.batchSize));
    const kept = Array.from(clients, (c) => Math.min(cache.length(c), maxEvents));
    const layout = PackedLayout.fromLengths(kept.map((k) => k + 2));
    const ids: Record<string, Int32Array> = {};
    for (const f of o.fields) {
      const src = data[f]!,
        out = new Int32Array(layout.total);
      clients.forEach((c, b) => {
        const end = cache.offsets[c + 1]!,
          first = end - kept[b]!;
        out[layout.row(b, 0)] = TOKEN.start;
        for (let e = first; e < end; e++) out[layout.row(b, e - first + 1)] = src[e]!;
        out[layout.row(b, kept[b]! + 1)] = TOKEN.end;
      });
      ids[f] = out;
    }
    yield { clients, layout, ids };
  }
}
