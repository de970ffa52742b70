// Row softmax and its gradient, float32, x/y/dy/dx rows×cols row-major:
//   row_lse:    lse (rows) = max + log Σ e^(x − max)              one workgroup per row
//   apply:      y = e^(x − lse[row])                                flat over rows·cols
//   row_dot:    dot (rows) = Σ y·dy                                  one workgroup per row
//   grad_apply: dx = y·(dy − dot[row])                               flat over rows·cols
// Rows past 65,535 workgroups fold into a 2-D grid; columns are strided by WG per invocation.
struct Params { rows: u32, cols: u32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> row_out: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> out3: array<f32>;
@group(0) @binding(4) var<storage, read_write> out4: array<f32>;

var<workgroup> partial: array<f32, WG>;

// max (take_max) or Σ of v over the workgroup by a fixed tree; every invocation gets it.
fn reduce(lid: u32, v: f32, take_max: bool) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w /= 2u) {
    if (lid < w) { partial[lid] = select(partial[lid] + partial[lid + w], max(partial[lid], partial[lid + w]), take_max); }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

// a = x, row_out = lse
@compute @workgroup_size(WG)
fn row_lse(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * nwg.x + wid.x;
  if (r >= P.rows) { return; }
  let o = r * P.cols;
  var m = -3.4e38;
  for (var j = lid; j < P.cols; j += WG) { m = max(m, a[o + j]); }
  let mx = reduce(lid, m, true);
  var s = 0.0;
  for (var j = lid; j < P.cols; j += WG) { s += exp(a[o + j] - mx); }
  let z = reduce(lid, s, false);
  if (lid == 0u) { row_out[r] = mx + log(z); }
}

// a = x, b = lse, out3 = y
@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.rows * P.cols) { return; }
  out3[i] = exp(a[i] - b[i / P.cols]);
}

// a = y, b = dy, out3 = dot
@compute @workgroup_size(WG)
fn row_dot(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * nwg.x + wid.x;
  if (r >= P.rows) { return; }
  let o = r * P.cols;
  var s = 0.0;
  for (var j = lid; j < P.cols; j += WG) { s += a[o + j] * b[o + j]; }
  let t = reduce(lid, s, false);
  if (lid == 0u) { out3[r] = t; }
}

// a = y, b = dy, c = dot, out4 = dx
@compute @workgroup_size(WG)
fn grad_apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.rows * P.cols) { return; }
  out4[i] = a[i] * (b[i] - c[i / P.cols]);
}
