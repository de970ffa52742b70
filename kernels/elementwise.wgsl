// Elementwise arithmetic on float32, flat over n elements.
//   binary:           out = a (+|−|·) b            (op 0 add, 1 sub, 2 mul)
//   scale:            out = s·x          (scale_in_place: x = s·x)
//   axpy:             y += s·x
//   fill:             out = s
//   broadcast_scalar: out = s·g[0]
//   add_bias:         out (rows×d) = x (rows×d) + bias (d)   (add_bias_in_place: x += bias)
//   sum_rows_*:       out (d) = Σ over rows of x[r·stride + off + j], j < d (a block of
//                     columns of a wider matrix), by chunks of rows (below)
struct Params { n: u32, d: u32, op: u32, off: u32, s: f32, stride: u32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out3: array<f32>;
@group(0) @binding(2) var<storage, read_write> out2: array<f32>;
@group(0) @binding(1) var<storage, read_write> out1: array<f32>;

@compute @workgroup_size(WG)
fn binary(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n) { return; }
  switch P.op {
    case 0u: { out3[i] = a[i] + b[i]; }
    case 1u: { out3[i] = a[i] - b[i]; }
    default: { out3[i] = a[i] * b[i]; }
  }
}

@compute @workgroup_size(WG)
fn scale(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { out2[i] = P.s * a[i]; }
}

@compute @workgroup_size(WG)
fn scale_in_place(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { out1[i] *= P.s; }
}

@compute @workgroup_size(WG)
fn axpy(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { out2[i] += P.s * a[i]; }
}

@compute @workgroup_size(WG)
fn fill(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { out1[i] = P.s; }
}

@compute @workgroup_size(WG)
fn broadcast_scalar(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { out2[i] = P.s * a[0]; }
}

@compute @workgroup_size(WG)
fn add_bias(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { out3[i] = a[i] + b[i % P.d]; }
}

@compute @workgroup_size(WG)
fn add_bias_in_place(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { out1[i] += b[i % P.d]; }
}

// Column sums in two passes so that no loop passes 65,535 iterations (llvmpipe stops loops
// there silently): out2 (⌈n/RCHUNK⌉×d) = per-chunk sums, invocation per (chunk, column); then
// out2 (d) = Σ over the chunks (n is then the chunk count).
const RCHUNK: u32 = 1024u;

@compute @workgroup_size(WG)
fn sum_rows_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  let chunks = (P.n + RCHUNK - 1u) / RCHUNK;
  if (i >= chunks * P.d) { return; }
  let c = i / P.d;
  let j = i % P.d;
  var s = 0.0;
  for (var r = c * RCHUNK; r < min(P.n, (c + 1u) * RCHUNK); r++) { s += a[r * P.stride + P.off + j]; }
  out2[i] = s;
}

@compute @workgroup_size(WG)
fn sum_rows_total(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j = flat_index(wid, nwg, lid);
  if (j >= P.d) { return; }
  var s = 0.0;
  for (var c = 0u; c < P.n; c++) { s += a[c * P.d + j]; }
  out2[j] = s;
}
