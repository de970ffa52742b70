// Full reductions of x (n floats) into result[0]: Σ x (op 0) or Σ x² (op 1), in a fixed order
// (deterministic) by two dispatches; no loop runs past 65,535 iterations (llvmpipe stops a
// loop there silently):
//   partial: partials[g] = the sum over [g·CHUNK, (g + 1)·CHUNK), workgroup g (each invocation
//            a strided slice, then a tree in workgroup memory)
//   total:   result[0] = Σ of the ⌈n/CHUNK⌉ partials, one workgroup
struct Params { n: u32, op: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;

const CHUNK: u32 = WG * 256u;

var<workgroup> partial: array<f32, WG>;

fn tree(lid: u32, s: f32) -> f32 {
  partial[lid] = s;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w /= 2u) {
    if (lid < w) { partial[lid] += partial[lid + w]; }
    workgroupBarrier();
  }
  return partial[0];
}

@compute @workgroup_size(WG)
fn partial_sum(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  if (g * CHUNK >= P.n) { return; }
  let end = min(P.n, (g + 1u) * CHUNK);
  var s = 0.0;
  for (var i = g * CHUNK + lid; i < end; i += WG) {
    let v = x[i];
    s += select(v, v * v, P.op == 1u);
  }
  let t = tree(lid, s);
  if (lid == 0u) { result[g] = t; }
}

@compute @workgroup_size(WG)
fn total(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < (P.n + CHUNK - 1u) / CHUNK; i += WG) { s += x[i]; }
  let t = tree(lid, s);
  if (lid == 0u) { result[0] = t; }
}
