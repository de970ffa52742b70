// Multi-head self-attention within each sequence of a packed batch (ts/backend/registry.ts's
// attention/attentionGrad; native/cpu/attention.cc is the same math on the cpu). D = heads·dh;
// qkv rows are [q | k | v] (total×3D), head h in columns h·dh … of each third. One invocation
// per (packed row r, head h), g = r·heads + h; row r is step t of sorted sequence i, whose
// step k is packed row offsets[k] + i. P (probs) per sequence and head is L×L row-major from
// poff[i] + h·L·L, unseen keys 0; a query sees keys k < seen = (causal ? t + 1 : L).
//   attn_probs:       probs row t = softmax_k(q_t·k_k·scale)
//   attn_out:         out[r, h] = Σ_k P_tk M_tk v_k
//   attn_grad_scores: ds row t = P_tk·(dP_tk − Σ_j P_tj dP_tj)·scale, dP_tk = M_tk dO_t·v_k  (probs' layout)
//   attn_grad_qkv:    dq_t = Σ_k ds_tk k_k,  dk_t = Σ_q ds_qt q_q,  dv_t = Σ_q P_qt M_qt dO_q
// M (attention dropout, P.p > 0): P.keep = 1/(1−p) where dropout_uniform(P.seed, j) ≥ p for
// probs index j, else 0; 1 without dropout. It is redrawn, never stored.
// idx (int32): [t, i] per packed row (2·total), then offsets (T + 1) from P.ob, lengths in
// sorted order (B) from P.lb, probs offsets (B) from P.pb.
struct Params { total: u32, d: u32, heads: u32, causal: u32, ob: u32, lb: u32, pb: u32, scale: f32, p: f32, seed: u32, keep: f32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> qkv: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> probs: array<f32>;
@group(0) @binding(3) var<storage, read_write> probs_w: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_w: array<f32>;
@group(0) @binding(5) var<storage, read> ds: array<f32>;
@group(0) @binding(5) var<storage, read_write> ds_w: array<f32>;
@group(0) @binding(6) var<storage, read_write> dqkv: array<f32>;

struct Where { r: u32, h: u32, t: u32, i: u32, len: u32, seen: u32, p: u32, dh: u32 }

fn locate(g: u32) -> Where {
  var w: Where;
  w.r = g / P.heads;
  w.h = g % P.heads;
  w.t = u32(idx[2u * w.r]);
  w.i = u32(idx[2u * w.r + 1u]);
  w.len = u32(idx[P.lb + w.i]);
  w.seen = select(w.len, w.t + 1u, P.causal != 0u);
  w.dh = P.d / P.heads;
  w.p = u32(idx[P.pb + w.i]) + w.h * w.len * w.len;
  return w;
}

// Packed row of step k of the sequence at w.
fn row_of(w: Where, k: u32) -> u32 {
  return u32(idx[P.ob + k]) + w.i;
}

// Float offset of head h's part (0 q, 1 k, 2 v) in qkv row r.
fn part(r: u32, which: u32, w: Where) -> u32 {
  return r * 3u * P.d + which * P.d + w.h * w.dh;
}

// The dropout multiplier of probs entry j.
fn drop_mask(j: u32) -> f32 {
  if (P.p == 0.0) { return 1.0; }
  return select(0.0, P.keep, dropout_uniform(P.seed, j) >= P.p);
}

fn dot_rows(a: u32, b: u32, n: u32) -> f32 {
  var s = 0.0;
  for (var d = 0u; d < n; d++) { s += qkv[a + d] * qkv[b + d]; }
  return s;
}

@compute @workgroup_size(WG)
fn attn_probs(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = flat_index(wid, nwg, lid);
  if (g >= P.total * P.heads) { return; }
  let w = locate(g);
  let q = part(w.r, 0u, w);
  let row = w.p + w.t * w.len;
  var mx = -3.4e38;
  for (var k = 0u; k < w.seen; k++) {
    let s = dot_rows(q, part(row_of(w, k), 1u, w), w.dh) * P.scale;
    probs_w[row + k] = s;
    mx = max(mx, s);
  }
  var z = 0.0;
  for (var k = 0u; k < w.seen; k++) {
    let e = exp(probs_w[row + k] - mx);
    probs_w[row + k] = e;
    z += e;
  }
  for (var k = 0u; k < w.len; k++) {
    probs_w[row + k] = select(0.0, probs_w[row + k] / z, k < w.seen);
  }
}

@compute @workgroup_size(WG)
fn attn_out(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = flat_index(wid, nwg, lid);
  if (g >= P.total * P.heads) { return; }
  let w = locate(g);
  let row = w.p + w.t * w.len;
  for (var d = 0u; d < w.dh; d++) {
    var o = 0.0;
    for (var k = 0u; k < w.seen; k++) { o += probs[row + k] * drop_mask(row + k) * qkv[part(row_of(w, k), 2u, w) + d]; }
    out_w[w.r * P.d + w.h * w.dh + d] = o;
  }
}

// dO_t·v_k for the query at w (dout row w.r, head w.h).
fn dout_dot_v(w: Where, k: u32) -> f32 {
  let v = part(row_of(w, k), 2u, w);
  let o = w.r * P.d + w.h * w.dh;
  var s = 0.0;
  for (var d = 0u; d < w.dh; d++) { s += dout[o + d] * qkv[v + d]; }
  return s;
}

@compute @workgroup_size(WG)
fn attn_grad_scores(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = flat_index(wid, nwg, lid);
  if (g >= P.total * P.heads) { return; }
  let w = locate(g);
  let row = w.p + w.t * w.len;
  var rowdot = 0.0;
  for (var k = 0u; k < w.seen; k++) { rowdot += probs[row + k] * drop_mask(row + k) * dout_dot_v(w, k); }
  for (var k = 0u; k < w.len; k++) {
    var v = 0.0;
    if (k < w.seen) { v = probs[row + k] * (drop_mask(row + k) * dout_dot_v(w, k) - rowdot) * P.scale; }
    ds_w[row + k] = v;
  }
}

@compute @workgroup_size(WG)
fn attn_grad_qkv(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = flat_index(wid, nwg, lid);
  if (g >= P.total * P.heads) { return; }
  let w = locate(g);
  let first = select(0u, w.t, P.causal != 0u); // the queries that see key t
  for (var d = 0u; d < w.dh; d++) {
    var dq = 0.0;
    for (var k = 0u; k < w.seen; k++) { dq += ds[w.p + w.t * w.len + k] * qkv[part(row_of(w, k), 1u, w) + d]; }
    var dk = 0.0;
    var dv = 0.0;
    for (var q = first; q < w.len; q++) {
      let rq = row_of(w, q);
      dk += ds[w.p + q * w.len + w.t] * qkv[part(rq, 0u, w) + d];
      let j = w.p + q * w.len + w.t;
      dv += probs[j] * drop_mask(j) * dout[rq * P.d + w.h * w.dh + d];
    }
    dqkv[part(w.r, 0u, w) + d] = dq;
    dqkv[part(w.r, 1u, w) + d] = dk;
    dqkv[part(w.r, 2u, w) + d] = dv;
  }
}
