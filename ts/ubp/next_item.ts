// The next-item transformer members of System 1's ensemble (the paper's GPT-2-style models
// over skus and over urls): a causal transformer (System 2's SASRec, ts/models/sasrec.ts)
// trained to predict each client's next sku (purchases, cart adds and removes) or next url
// (page visits), over the ingest's top-K vocabulary with its shared out-of-vocabulary id; the
// member is the last position's output, 128 columns for skus and 192 for urls by default.
// Early stopping on the leave-one-out validation NDCG@10 of the clients with 3 items or more.
// A relevant client without such events gets a zero row (the ensemble's missing member).
import { EventCache, TOKEN } from '../data/ingest.js';
import type { SequenceRecommender } from '../models/recommender.js';
import { lastStates } from '../rec/evaluate.js';
import { looSplit } from '../rec/split.js';
import { trainRecommender } from '../rec/train.js';
import { writeSubmission } from './export.js';

export interface NextItemOptions {
  cache: EventCache;
  relevant: BigInt64Array;
  field: 'sku' | 'url';
  /** Submission folder written. */
  out: string;
  /** Columns of the member (the transformer's width). Default: 128 for skus, 192 for urls. */
  hidden?: number;
  /** Most recent items kept per client (the paper's 128). */
  maxLen?: number;
  epochs?: number;
  seed: number;
  /** Training checkpoint (and CHECKPOINT.best): an interrupted run resumes from it. */
  checkpoint?: string;
  log?: (line: string) => void;
  shouldStop?: () => boolean;
}

/**
 * Each cache client's items of `field` in time order, as recommender item ids: the ingest's
 * ids shifted so that out-of-vocabulary is item 1 and the vocabulary follows (0 is padding);
 * events without the field (missing) are left out. `items` counts ids including padding.
 */
export function itemSequences(cache: EventCache, field: 'sku' | 'url'): { sequences: Int32Array[]; items: number } {
  const ids = cache.field(field);
  const shift = TOKEN.oov - 1;
  let items = 2;
  const sequences = Array.from({ length: cache.clients.length }, (_, c) => {
    const s: number[] = [];
    for (let k = cache.offsets[c]!; k < cache.offsets[c + 1]!; k++) {
      const id = ids[k]!;
      if (id < TOKEN.oov) continue; // missing: this event has no such field
      s.push(id - shift);
      if (id - shift + 1 > items) items = id - shift + 1;
    }
    return Int32Array.from(s);
  });
  return { sequences, items };
}

/** The transformer's output at the last position of each history (rows×hidden); empty histories give zero rows. */
async function memberRows(model: SequenceRecommender, histories: Int32Array[], batch = 512): Promise<Float32Array> {
  const H = model.cfg.hidden,
    out = new Float32Array(histories.length * H);
  model.eval();
  for (let s = 0; s < histories.length; s += batch) {
    const part = histories.slice(s, s + batch);
    const users = part.flatMap((h, i) => (h.length ? [i] : []));
    if (!users.length) continue;
    const states = lastStates(
      model,
      users.map((i) => part[i]!),
    );
    const data = (await states.data()) as Float32Array;
    states.dispose();
    users.forEach((i, k) => out.set(data.subarray(k * H, (k + 1) * H), (s + i) * H));
  }
  return out;
}

/** Trains the member's transformer on every client of the cache and writes the relevant clients' last states. */
export async function nextItemMember(o: NextItemOptions): Promise<{ dim: number; clients: number; interrupted: boolean }> {
  const { sequences, items } = itemSequences(o.cache, o.field);
  const hidden = o.hidden ?? (o.field === 'sku' ? 128 : 192);
  const maxLen = o.maxLen ?? 128;
  // Leave-one-out over the clients with 3 items or more: training sees all but their last two.
  const eligible = sequences.flatMap((s, c) => (s.length >= 3 ? [c] : []));
  if (eligible.length < 2) throw new Error(`next-${o.field} member: ${eligible.length} client(s) have 3 ${o.field} events or more; it needs 2`);
  const split = looSplit({ users: eligible.map(Number), sequences: eligible.map((c) => sequences[c]!), items });
  const r = await trainRecommender({
    split,
    model: { kind: 'sasrec', hidden, blocks: 2, heads: 2, maxLen, dropout: 0.1, attentionDropout: 0, ffnMultiplier: 4, activation: 'gelu' },
    epochs: o.epochs ?? 3,
    batch: 128,
    lr: 1e-3,
    weightDecay: 0,
    clip: 1,
    seed: o.seed,
    patience: 2,
    negatives: 0,
    maskProb: 0.15,
    excludeHistory: false,
    log: o.log,
    shouldStop: o.shouldStop,
    logEvery: 100,
    ...(o.checkpoint ? { checkpoint: o.checkpoint, resume: true } : {}),
  });
  if (r.interrupted) {
    r.model.dispose();
    return { dim: hidden, clients: 0, interrupted: true };
  }
  const rows = o.cache.rowsOf(o.relevant);
  const states = await memberRows(
    r.model,
    Array.from(rows, (c) => (c < 0 ? new Int32Array(0) : sequences[c]!)),
  );
  r.model.dispose();
  writeSubmission(o.out, o.relevant, states, hidden, o.relevant);
  return { dim: hidden, clients: o.relevant.length, interrupted: false };
}
