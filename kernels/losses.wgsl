// Regression and similarity losses on float32. A full mean is two dispatches in a fixed order
// (deterministic): workgroup g sums elements [g·CHUNK, (g + 1)·CHUNK) into partials[g] (each
// invocation a strided slice, then a tree in workgroup memory), then one workgroup sums the
// ⌈n/CHUNK⌉ partials. No invocation loops more than 65,535 times (llvmpipe's cap on a loop's
// iterations, past which it silently stops).
//   mse_partial:   partials (⌈n/CHUNK⌉) = Σ over the chunk of (a − b)²; a, b: n
//   bce_partial:   partials = Σ over the chunk of max(x, 0) − x·y + log1p(e^−|x|), x = a
//                  (logits), y = b (targets)
//   mean_partials: out (1) = Σ partials / n, 0 when n = 0
//   mse_grad:      out (n) = sign·2·dout[0]/n·(a − b) (sign +1: da, −1: db = −da exactly)
//   bce_grad:      out (n) = dout[0]/n·(σ(x) − y)
//   cosine:        out (N) = a·b / (max(|a|, eps)·max(|b|, eps)) for each row of a, b (N×D);
//                  one workgroup per row
//   cosine_grad:   out (N×D) = dout·(b/(A·B) − [|a| > eps]·cos·a/|a|²), A = max(|a|, eps),
//                  B = max(|b|, eps): da; bound with a and b swapped it is db. One workgroup per row
// Bindings: a, b, then partials (the *_partial kernels), out (cosine), or dout, out (the grads);
// mean_partials: partials, out. n is the element count (mse, bce) or the row count (cosine);
// workgroups past 65,535 fold into a 2-D grid (g = wid.y·nwg.x + wid.x).
struct Params { n: u32, d: u32, sign: f32, eps: f32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out2: array<f32>;
@group(0) @binding(3) var<storage, read_write> out3: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> out4: array<f32>;

const CHUNK: u32 = WG * 256u; // elements per workgroup of the *_partial kernels

// Each kernel reduces once through this array (on Mesa's GLSL path a read of the result was
// seen to move past a later barrier, racing with a second reduction's writes).
var<workgroup> partial: array<vec3f, WG>;

// Component-wise Σ of v over the workgroup by a fixed tree; every invocation gets the result.
fn workgroup_sum(lid: u32, v: vec3f) -> vec3f {
  partial[lid] = v;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w /= 2u) {
    if (lid < w) { partial[lid] += partial[lid + w]; }
    workgroupBarrier();
  }
  return partial[0];
}

// log(1 + z), accurate for small z (WGSL has no log1p).
fn log1p(z: f32) -> f32 {
  let u = 1.0 + z;
  if (u == 1.0) { return z; }
  return log(u) * z / (u - 1.0);
}

fn group_index(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.y * nwg.x + wid.x;
}

@compute @workgroup_size(WG)
fn mse_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = group_index(wid, nwg);
  if (g * CHUNK >= P.n) { return; }
  let end = min(P.n, (g + 1u) * CHUNK);
  var s = 0.0;
  for (var i = g * CHUNK + lid; i < end; i += WG) {
    let e = a[i] - b[i];
    s += e * e;
  }
  let total = workgroup_sum(lid, vec3f(s, 0.0, 0.0)).x;
  if (lid == 0u) { out3[g] = total; }
}

@compute @workgroup_size(WG)
fn bce_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = group_index(wid, nwg);
  if (g * CHUNK >= P.n) { return; }
  let end = min(P.n, (g + 1u) * CHUNK);
  var s = 0.0;
  for (var i = g * CHUNK + lid; i < end; i += WG) {
    let v = a[i];
    s += max(v, 0.0) - v * b[i] + log1p(exp(-abs(v)));
  }
  let total = workgroup_sum(lid, vec3f(s, 0.0, 0.0)).x;
  if (lid == 0u) { out3[g] = total; }
}

@compute @workgroup_size(WG)
fn mean_partials(@builtin(local_invocation_index) lid: u32) {
  let groups = (P.n + CHUNK - 1u) / CHUNK;
  var s = 0.0;
  for (var g = lid; g < groups; g += WG) { s += partials[g]; }
  let total = workgroup_sum(lid, vec3f(s, 0.0, 0.0)).x;
  if (lid == 0u) { out2[0] = select(0.0, total / f32(P.n), P.n > 0u); }
}

@compute @workgroup_size(WG)
fn mse_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n) { return; }
  let scale = dout[0] / f32(P.n);
  out4[i] = P.sign * (2.0 * scale * (a[i] - b[i]));
}

@compute @workgroup_size(WG)
fn bce_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n) { return; }
  let scale = dout[0] / f32(P.n);
  out4[i] = scale * (1.0 / (1.0 + exp(-a[i])) - b[i]);
}

// (a·b, |a|², |b|²) of row r, on every invocation of the workgroup.
fn row_parts(lid: u32, o: u32) -> vec3f {
  var p = vec3f(0.0);
  for (var j = lid; j < P.d; j += WG) {
    let x = a[o + j];
    let y = b[o + j];
    p += vec3f(x * y, x * x, y * y);
  }
  return workgroup_sum(lid, p);
}

@compute @workgroup_size(WG)
fn cosine(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = group_index(wid, nwg);
  if (r >= P.n) { return; }
  let p = row_parts(lid, r * P.d);
  if (lid == 0u) { out3[r] = p.x / (max(sqrt(p.y), P.eps) * max(sqrt(p.z), P.eps)); }
}

@compute @workgroup_size(WG)
fn cosine_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = group_index(wid, nwg);
  if (r >= P.n) { return; }
  let o = r * P.d;
  let p = row_parts(lid, o);
  let na = sqrt(p.y);
  let ab = max(na, P.eps) * max(sqrt(p.z), P.eps);
  let cs = p.x / ab;
  let ka = select(0.0, cs / (na * na), na > P.eps);
  let g = dout[r];
  for (var j = lid; j < P.d; j += WG) { out4[o + j] = g * (b[o + j] / ab - ka * a[o + j]); }
}
