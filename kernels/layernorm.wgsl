// Layer normalisation over the last axis, float32: x, y, dy, dx are rows×D (row-major),
// gamma, beta, dgamma, dbeta are D, mean and rstd are rows. Biased variance, two passes over
// the row, rstd = 1/√(var + eps); x̂ = (x − mean)·rstd.
//   row_mean:    mean (rows) = Σ_j x / D                                  one workgroup per row
//   row_rstd:    rstd (rows) = 1/√(Σ_j (x − mean)²/D + eps)               one workgroup per row
//   scale_shift: y (rows×D) = x̂·gamma + beta                              flat over rows·D
//   grad_x:      dx (rows×D) = rstd·(g − mean_j g − x̂·mean_j(g·x̂)), g = gamma·dy
//                                                                          one workgroup per row
//   grad_params: out (⌈rows/CHUNK⌉×D) = Σ over rows [k·CHUNK, (k + 1)·CHUNK) of dy·x̂ (op 0:
//                dgamma) or dy (op 1: dbeta); one invocation per (k, column); with one chunk
//                this is dgamma or dbeta itself
//   sum_chunks:  out (D) = Σ_k partials (⌈rows/CHUNK⌉×D)                  one invocation per column
// Bindings: x, mean, rstd first; then scale_shift: beta, gamma, y; grad_x: dy, gamma, dx;
// grad_params: dy, out; sum_chunks: partials, out. Row kernels fold rows past 65,535
// workgroups into a 2-D grid. Column sums go by chunks of rows since no invocation may loop
// more than 65,535 times (llvmpipe's cap on a loop's iterations, past which it silently stops).
struct Params { rows: u32, d: u32, op: u32, eps: f32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> out2: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read_write> rstd_out: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read_write> params_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> out6: array<f32>;

// Each kernel reduces once: Mesa's GLSL path (llvmpipe) was seen to move the read of a
// reduction's result past a later barrier, so a second reduction through the same array
// raced with it; two sums share one vec2 tree instead.
var<workgroup> partial: array<vec2f, WG>;

const CHUNK: u32 = 256u; // rows per partial column sum (grad_params)

fn row_index(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.y * nwg.x + wid.x;
}

// Component-wise Σ of v over the workgroup by a fixed tree; every invocation gets the result.
fn workgroup_sum(lid: u32, v: vec2f) -> vec2f {
  partial[lid] = v;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w /= 2u) {
    if (lid < w) { partial[lid] += partial[lid + w]; }
    workgroupBarrier();
  }
  return partial[0];
}

@compute @workgroup_size(WG)
fn row_mean(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = row_index(wid, nwg);
  if (r >= P.rows) { return; }
  let o = r * P.d;
  var s = 0.0;
  for (var j = lid; j < P.d; j += WG) { s += x[o + j]; }
  let total = workgroup_sum(lid, vec2f(s, 0.0)).x;
  if (lid == 0u) { out2[r] = total / f32(P.d); }
}

@compute @workgroup_size(WG)
fn row_rstd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = row_index(wid, nwg);
  if (r >= P.rows) { return; }
  let o = r * P.d;
  let m = mean[r];
  var s = 0.0;
  for (var j = lid; j < P.d; j += WG) {
    let c = x[o + j] - m;
    s += c * c;
  }
  let total = workgroup_sum(lid, vec2f(s, 0.0)).x;
  if (lid == 0u) { rstd_out[r] = 1.0 / sqrt(total / f32(P.d) + P.eps); }
}

@compute @workgroup_size(WG)
fn scale_shift(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.rows * P.d) { return; }
  let r = i / P.d;
  let j = i % P.d;
  out6[i] = (x[i] - mean[r]) * rstd[r] * gamma[j] + beta[j];
}

@compute @workgroup_size(WG)
fn grad_x(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = row_index(wid, nwg);
  if (r >= P.rows) { return; }
  let o = r * P.d;
  let m = mean[r];
  let rs = rstd[r];
  var a = 0.0;
  var c = 0.0;
  for (var j = lid; j < P.d; j += WG) {
    let g = gamma[j] * dy[o + j];
    a += g;
    c += g * (x[o + j] - m) * rs;
  }
  let sums = workgroup_sum(lid, vec2f(a, c)) / f32(P.d);
  let ma = sums.x;
  let mc = sums.y;
  for (var j = lid; j < P.d; j += WG) {
    let xhat = (x[o + j] - m) * rs;
    out6[o + j] = rs * (gamma[j] * dy[o + j] - ma - xhat * mc);
  }
}

@compute @workgroup_size(WG)
fn grad_params(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  let chunks = max((P.rows + CHUNK - 1u) / CHUNK, 1u); // with no rows, one chunk writes zeros
  if (i >= chunks * P.d) { return; }
  let j = i % P.d;
  let end = min(P.rows, (i / P.d + 1u) * CHUNK);
  var s = 0.0;
  if (P.op == 0u) {
    for (var r = i / P.d * CHUNK; r < end; r++) { s += dy[r * P.d + j] * (x[r * P.d + j] - mean[r]) * rstd[r]; }
  } else {
    for (var r = i / P.d * CHUNK; r < end; r++) { s += dy[r * P.d + j]; }
  }
  params_out[i] = s;
}

@compute @workgroup_size(WG)
fn sum_chunks(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j = flat_index(wid, nwg, lid);
  if (j >= P.d) { return; }
  let chunks = (P.rows + CHUNK - 1u) / CHUNK;
  var s = 0.0;
  for (var k = 0u; k < chunks; k++) { s += partials[k * P.d + j]; }
  out2[j] = s;
}
