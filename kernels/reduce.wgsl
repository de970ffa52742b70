// Full reductions of x (n floats) into result[0]: Σ x (op 0) or Σ x² (op 1). One workgroup:
// each invocation sums a strided slice, then a tree in workgroup memory.
struct Params { n: u32, op: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn sum(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < P.n; i += WG) {
    let v = x[i];
    s += select(v, v * v, P.op == 1u);
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w /= 2u) {
    if (lid < w) { partial[lid] += partial[lid + w]; }
    workgroupBarrier();
  }
  if (lid == 0u) { result[0] = partial[0]; }
}
