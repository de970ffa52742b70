import { rowsCols } from '../backend.js';
import { registerKernels } from '../registry.js';
import { tensor } from '../../tensor.js';
import { gpu, type GpuStorage } from './backend.js';

/**
 * The host plan of kernels/embedding.wgsl's scatter_add_sorted: [order | uniq | seg] (its
 * header), or null when an id is outside [0, V) (the atomic kernel then records the fault).
 */
function plan(ids: Int32Array, V: number): { data: Int32Array; unique: number } | null {
  const n = ids.length;
  if (ids.some((id) => id < 0 || id >= V)) return null;
  const order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => ids[a]! - ids[b]! || a - b);
  const uniq: number[] = [],
    seg: number[] = [];
  order.forEach((k, i) => {
    if (i === 0 || ids[k] !== ids[order[i - 1]!]) {
      uniq.push(ids[k]!);
      seg.push(i);
    }
  });
  seg.push(n);
  const data = new Int32Array(n + 2 * uniq.length + 1);
  data.set(order);
  data.set(uniq, n);
  data.set(seg, n + uniq.length);
  return { data, unique: uniq.length };
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
      const t = tensor(p.data, [p.data.length], { backend: b });
      b.dispatch1d('embedding', 'scatter_add_sorted', [dy, t, dtable], { n: ids.size, e: E, v: V, u: p.unique }, p.unique * E);
      t.dispose();
    } else b.dispatch1d('embedding', 'scatter_add', [dy, ids, b.faults, dtable], { n: ids.size, e: E, v: V, u: 0 }, ids.size * E);
  },
});
