// Fused softmax cross-entropy: logits N×C float32 (row-major), targets N int32; rows whose
// target is `ignore` count for nothing. No N×C probability matrix is written: the forward
// keeps each row's log-sum-exp and the backward recomputes the softmax from it. A target
// outside [0, C) that is not `ignore` makes the loss and its own gradient row NaN and records
// fault 4 (row, target), raised at the next read (ts/backend/webgpu/backend.ts).
//   row_lse:       lse (N) = m + log Σ_c exp(x − m), m = max_c x      one workgroup per row,
//                  striding over the columns (rows may be many thousands wide)
//   total_partial: partials (2·⌈N/CHUNK⌉) = (Σ lse − x[target], count) over the counted rows
//                  of rows [g·CHUNK, (g + 1)·CHUNK), workgroup g
//   total:         out (1) = Σ partial losses / count, 0 when none (op 0: the loss), or count,
//                  the number of counted rows (op 1); one workgroup
//   grad:          dlogits (N×C) = dloss[0]/count[0]·(exp(x − lse) − onehot(target)), 0 on
//                  ignored rows (and everywhere when count is 0); flat over N·C
// Reductions are in a fixed order (deterministic), and no invocation loops more than 65,535
// times (llvmpipe's cap on a loop's iterations, past which it silently stops).
// Bindings: logits; row_lse: lse; total_partial: targets, lse, faults, partials; total: partials,
// loss or count; grad: targets, lse, count, dloss, dlogits. Workgroups past 65,535 fold into
// a 2-D grid.
struct Params { n: u32, c: u32, op: u32, ignore: i32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> out2: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> faults: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> partials_out: array<f32>;
@group(0) @binding(4) var<storage, read> count: array<f32>;
@group(0) @binding(5) var<storage, read> dloss: array<f32>;
@group(0) @binding(6) var<storage, read_write> dlogits: array<f32>;

const CHUNK: u32 = WG * 256u; // rows per workgroup of total_partial

// One workgroup array per reduction: Mesa's GLSL path (llvmpipe) was seen to move a read of
// a reduction's result past a later barrier, so reusing the array for a second reduction
// raced with that read.
var<workgroup> partial_max: array<f32, WG>;
var<workgroup> partial_sum: array<vec2f, WG>;

// max of v over the workgroup by a fixed tree; every invocation gets the result.
fn workgroup_max(lid: u32, v: f32) -> f32 {
  partial_max[lid] = v;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w /= 2u) {
    if (lid < w) { partial_max[lid] = max(partial_max[lid], partial_max[lid + w]); }
    workgroupBarrier();
  }
  return partial_max[0];
}

// Component-wise Σ of v over the workgroup by a fixed tree; every invocation gets the result.
fn workgroup_sum(lid: u32, v: vec2f) -> vec2f {
  partial_sum[lid] = v;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w /= 2u) {
    if (lid < w) { partial_sum[lid] += partial_sum[lid + w]; }
    workgroupBarrier();
  }
  return partial_sum[0];
}

@compute @workgroup_size(WG)
fn row_lse(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * nwg.x + wid.x;
  if (r >= P.n) { return; }
  let o = r * P.c;
  var m = logits[o]; // C ≥ 1 wherever there is a row
  for (var j = lid; j < P.c; j += WG) { m = max(m, logits[o + j]); }
  m = workgroup_max(lid, m);
  var s = 0.0;
  for (var j = lid; j < P.c; j += WG) { s += exp(logits[o + j] - m); }
  s = workgroup_sum(lid, vec2f(s, 0.0)).x;
  if (lid == 0u) { out2[r] = m + log(s); }
}

@compute @workgroup_size(WG)
fn total_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  if (g * CHUNK >= P.n) { return; }
  let end = min(P.n, (g + 1u) * CHUNK);
  var acc = vec2f(0.0); // (Σ loss, count)
  for (var r = g * CHUNK + lid; r < end; r += WG) {
    let t = targets[r];
    if (t == P.ignore) { continue; }
    if (t < 0 || u32(t) >= P.c) {
      acc += vec2f(quiet_nan(r & 0u), 1.0);
      if (atomicCompareExchangeWeak(&faults[0], 0u, 4u).exchanged) {
        atomicStore(&faults[1], r);
        atomicStore(&faults[2], bitcast<u32>(t));
      }
      continue;
    }
    acc += vec2f(lse[r] - logits[r * P.c + u32(t)], 1.0);
  }
  acc = workgroup_sum(lid, acc);
  if (lid == 0u) {
    partials_out[2u * g] = acc.x;
    partials_out[2u * g + 1u] = acc.y;
  }
}

@compute @workgroup_size(WG)
fn total(@builtin(local_invocation_index) lid: u32) {
  let groups = (P.n + CHUNK - 1u) / CHUNK;
  var acc = vec2f(0.0);
  for (var g = lid; g < groups; g += WG) { acc += vec2f(partials[2u * g], partials[2u * g + 1u]); }
  acc = workgroup_sum(lid, acc);
  if (lid == 0u) {
    if (P.op == 0u) { out2[0] = select(0.0, acc.x / acc.y, acc.y > 0.0); }
    else { out2[0] = acc.y; }
  }
}

@compute @workgroup_size(WG)
fn grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n * P.c) { return; }
  let r = i / P.c;
  let c = i % P.c;
  let t = targets[r];
  let cnt = count[0];
  let scale = select(0.0, dloss[0] / cnt, cnt > 0.0);
  if (t == P.ignore) { dlogits[i] = 0.0; return; }
  if (t < 0 || u32(t) >= P.c) { dlogits[i] = quiet_nan(i & 0u); return; }
  var v = scale * exp(logits[i] - lse[r]);
  if (c == u32(t)) { v -= scale; }
  dlogits[i] = v;
}
