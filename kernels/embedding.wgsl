// Embedding lookup and its gradient, float32 tables, int32 ids.
//   gather:      out (n×E) = table (V×E)[ids (n)]; an id outside [0, V) writes a zero row
//                and records fault 1 (position, id), raised at the next read (backend.ts)
//   sorted scatter: dtable (V×E) += Σ over k with ids[k] = v of dy (n×E)[k], from a plan
//                made on the host (ts/backend/webgpu/embedding.ts): plan = [order (n): positions
//                sorted by id | start (c + 1): where each chunk of order starts | uniq (u): the
//                distinct ids | seg (u + 1): where each id's chunks start]. Each id's run is cut
//                into chunks of at most EMBEDDING_CHUNK positions, so that a frequent id (pad,
//                out-of-vocabulary) is summed by many invocations, not one:
//     chunk_sums: partial (c×E) = per (chunk, column) the sum of its positions' dy, in order
//     add_chunks: per (distinct id, column) the sum of its chunks' partials, in order, added
//                 to its row; deterministic (no atomics), run after run
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
struct Plan { n: u32, e: u32, c: u32, u: u32 }
@group(0) @binding(0) var<uniform> Q: Plan;
@group(0) @binding(1) var<storage, read> q_src: array<f32>;
@group(0) @binding(2) var<storage, read> plan: array<i32>;
@group(0) @binding(3) var<storage, read_write> q_out: array<f32>;

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
fn chunk_sums(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= Q.c * Q.e) { return; }
  let c = i / Q.e;
  let j = i % Q.e;
  var s = 0.0;
  for (var k = u32(plan[Q.n + c]); k < u32(plan[Q.n + c + 1u]); k++) { s += q_src[u32(plan[k]) * Q.e + j]; }
  q_out[i] = s;
}

@compute @workgroup_size(WG)
fn add_chunks(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= Q.u * Q.e) { return; }
  let u = i / Q.e;
  let j = i % Q.e;
  let seg = Q.n + Q.c + 1u + Q.u;
  let lo = u32(plan[seg + u]);
  let hi = u32(plan[seg + u + 1u]);
  var s = 0.0;
  // Two loops: llvmpipe stops any one loop after 65,535 iterations.
  for (var c = lo; c < hi; c += 4096u) {
    for (var k = c; k < min(hi, c + 4096u); k++) { s += q_src[k * Q.e + j]; }
  }
  q_out[u32(plan[Q.n + Q.c + 1u + u]) * Q.e + j] += s;
}
