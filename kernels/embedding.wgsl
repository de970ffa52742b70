// Embedding lookup and its gradient, float32 tables, int32 ids.
//   gather:      out (n×E) = table (V×E)[ids (n)]; an id outside [0, V) writes a zero row
//                and records fault 1 (position, id), raised at the next read (backend.ts)
//   scatter_add_sorted: dtable (V×E) += Σ over k with ids[k] = v of dy (n×E)[k], from a plan
//                made on the host (ts/backend/webgpu/embedding.ts): plan = [order (n): positions
//                sorted by id | uniq (u): the distinct ids | seg (u + 1): where each id's run
//                starts in order]. One invocation per (distinct id, column) sums its run in
//                order: deterministic, and no contention on frequent ids (pad, out-of-vocabulary)
//   scatter_add: the same without a plan (ids computed on the GPU): float addition by a
//                compare-and-swap loop (WGSL has no float atomics), so the order of the
//                additions, and the last bits of a row hit by several ids, vary between runs;
//                an id outside [0, V) is skipped and records fault 2
struct Params { n: u32, e: u32, v: u32, u: u32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> faults: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> acc: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> plan: array<i32>;
@group(0) @binding(3) var<storage, read_write> table_out: array<f32>;

fn fault(code: u32, position: u32, id: i32) {
  if (atomicCompareExchangeWeak(&faults[0], 0u, code).exchanged) {
    atomicStore(&faults[1], position);
    atomicStore(&faults[2], bitcast<u32>(id));
  }
}

@compute @workgroup_size(WG)
fn gather(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n * P.e) { return; }
  let k = i / P.e;
  let id = ids[k];
  if (id < 0 || u32(id) >= P.v) {
    out[i] = 0.0;
    if (i % P.e == 0u) { fault(1u, k, id); }
    return;
  }
  out[i] = src[u32(id) * P.e + i % P.e];
}

@compute @workgroup_size(WG)
fn scatter_add(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n * P.e) { return; }
  let k = i / P.e;
  let id = ids[k];
  if (id < 0 || u32(id) >= P.v) {
    if (i % P.e == 0u) { fault(2u, k, id); }
    return;
  }
  let at = u32(id) * P.e + i % P.e;
  let g = src[i];
  var old = atomicLoad(&acc[at]);
  loop {
    let r = atomicCompareExchangeWeak(&acc[at], old, bitcast<u32>(bitcast<f32>(old) + g));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}

@compute @workgroup_size(WG)
fn scatter_add_sorted(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.u * P.e) { return; }
  let u = i / P.e;
  let j = i % P.e;
  let lo = u32(plan[P.n + P.u + u]);
  let hi = u32(plan[P.n + P.u + u + 1u]);
  var s = 0.0;
  // Two loops: llvmpipe stops any one loop after 65,535 iterations.
  for (var c = lo; c < hi; c += 4096u) {
    for (var k = c; k < min(hi, c + 4096u); k++) { s += src[u32(plan[k]) * P.e + j]; }
  }
  table_out[u32(plan[P.n + u]) * P.e + j] += s;
}
