import { rowsCols } from '../backend.js';
import { registerKernels } from '../registry.js';
import { Tensor, tensor } from '../../tensor.js';
import { gpu, type GpuStorage } from './backend.js';

/** Positions of one id summed by one invocation (kernels/embedding.wgsl's chunk_sums). */
const EMBEDDING_CHUNK = 256;

/**
 * The host plan of kernels/embedding.wgsl's sorted scatter: [order | start | uniq | seg] (its
 * header), or null when an id is outside [0, V) (the atomic kernel then records the fault).
 */
function plan(ids: Int32Array, V: number): { data: Int32Array; chunks: number; unique: number } | null {
  const n = ids.length;
  if (ids.some((id) => id < 0 || id >= V)) return null;
  const order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => ids[a]! - ids[b]! || a - b);
  const start: number[] = [],
    uniq: number[] = [],
    seg: number[] = [];
  order.forEach((k, i) => {
    const first = i === 0 || ids[k] !== ids[order[i - 1]!];
    if (first) {
      uniq.push(ids[k]!);
      seg.push(start.length);
    }
    if (first || i - start[start.length - 1]! === EMBEDDING_CHUNK) start.push(i);
  });
  seg.push(start.length);
  const chunks = start.length;
  start.push(n);
  const data = new Int32Array(n + start.length + uniq.length + seg.length);
  data.set(order);
  data.set(start, n);
  data.set(uniq, n + start.length);
  data.set(seg, n + start.length + uniq.length);
  return { data, chunks, unique: uniq.length };
}

// kernels/embedding.wgsl; ids out of range are faults raised at the next read.
registerKernels('webgpu', {
  embeddingGather(table, ids, out) {
    const [V, E] = rowsCols(table),
      b = gpu(out);
    b.dispatch1d('embedding', 'gather', [table, ids, b.faults, out], { n: ids.size, e: E, v: V, u: 0 }, ids.size * E);
  },
  embeddingScatterAdd(dy, ids, dtable) {
    const [V, E] = rowsCols(dtable),
      b = gpu(dtable);
    // Ids uploaded from the host (the usual case) are sorted there: a deterministic sum per
    // distinct id. Ids made on the GPU fall back to atomic adds.
    const host = (ids.storage as GpuStorage).host;
    const p = host && plan(host.subarray(0, ids.size), V);
    if (p) {
      const t = tensor(p.data, [p.data.length], { backend: b }),
        partial = Tensor.empty([p.chunks, E], 'float32', b, false);
      const sizes = { n: ids.size, e: E, c: p.chunks, u: p.unique };
      b.dispatch1d('embedding', 'chunk_sums', [dy, t, partial], sizes, p.chunks * E);
      b.dispatch1d('embedding', 'add_chunks', [partial, t, dtable], sizes, p.unique * E);
      t.dispose();
      partial.dispose();
    } else b.dispatch1d('embedding', 'scatter_add', [dy, ids, b.faults, dtable], { n: ids.size, e: E, v: V, u: 0 }, ids.size * E);
  },
});
