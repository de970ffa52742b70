// The GRU cell over one step of a packed batch (PyTorch's gate order r, z, n and "reset
// after" form), forward and backward, and the gathers around it; ts/backend/webgpu/gru.ts
// runs the GEMMs in between. H hidden units, B sequences, `total` packed rows; a step t
// has bs = batchSizes[t] rows, packed rows row0 = offsets[t] …, sorted position k = 0 … bs−1.
// row0, next_row0, hbase and obase count rows; gbase and every `…_off` count floats.
//
// idx (int32, total + B + 2T): idx[r] for packed row r of step t, position k:
// offsets[t−1] + k, the row of the state before it; at t = 0, −1 − (input index of the
// sequence). Then idx[total + b]: the packed row of sequence b's last step; then offsets[t]
// and batchSizes[t] (for the whole-sequence kernels at the end of this file).
//
// Forward, per layer, in S = [h0 sorted (B×H) | outputs (total×H) | gates (total×4H)]:
//   gather_h0:    S[k] = h0[layer][sorted k] (zeros without h0), k < B
//   cell_forward: gi (total×3H, x·W_ihᵀ), gh (bs×3H, h_prev·W_hhᵀ), b_ih, b_hh (3H) →
//                 S rows obase + k = h; with save the gates r, z, n, W_hn·h_prev + b_hn at
//                 S[gbase + (row0 + k)·4H …]; h_prev = S rows hbase + k
//   gather_last:  hn[hn_off + b·H …] (input order) = S row obase (= B) + idx[total + b]
//   dropout_input: in the workspace (in place, one binding), n floats: mask = keep
//                 (1/(1−p)) where dropoutUniform(seed, i) ≥ p, else 0; dropped = src·mask
//   copy_range:   dst[dst_off + i] = src[src_off + i], n floats
// Backward, per layer, Dg (total×7H) holds per row [dgi (3H) | dgh (3H) | dh·z (H)]:
//   gather_hprev: HP (total×H) = the state before each row: out rows idx[r], or h0 / zeros
//   cell_backward: dh = carry + D[row]·mask[row]; carry is Gc (bs_next×H, dgh·W_hh of step
//                 t+1) + (dh·z of step t+1) for rows still running at t+1, else dhn (or 0);
//                 gates read from the workspace
//   scatter_dh0:  dh0[dh0_off + sorted k …] = Gc[k] + (dh·z)[k], k < B (step 0)

fn sigm(v: f32) -> f32 {
  return 1.0 / (1.0 + exp(-v));
}

// tanh without overflow for large |v|.
fn tanh_(v: f32) -> f32 {
  let e = exp(-2.0 * abs(v));
  return sign(v) * (1.0 - e) / (1.0 + e);
}

// One unit of the cell: x_r, x_z, x_n = x·W_ihᵀ + b_ih and h_r, h_z, h_n = h_prev·W_hhᵀ + b_hh
// of its three gates, hp its previous state → (h, r, z, n); h_n is what the backward keeps as ghn.
fn cell(x_r: f32, x_z: f32, x_n: f32, h_r: f32, h_z: f32, h_n: f32, hp: f32) -> vec4f {
  let r = sigm(x_r + h_r);
  let z = sigm(x_z + h_z);
  let n = tanh_(x_n + r * h_n);
  return vec4f((1.0 - z) * n + z * hp, r, z, n);
}

// The cell's gradients for one unit from dh (its state's gradient), the saved gates and hp:
// [dgi (r, z, n) | dgh (r, z, n) | dh·z], Dg's seven columns.
fn cell_grads(dh: f32, r: f32, z: f32, n: f32, ghn: f32, hp: f32) -> array<f32, 7> {
  let dan = dh * (1.0 - z) * (1.0 - n * n);
  let dar = dan * ghn * r * (1.0 - r);
  let daz = dh * (hp - n) * z * (1.0 - z);
  return array<f32, 7>(dar, daz, dan, dar, daz, dan * r, dh * z);
}

// The sorted position's input index, from idx at a step-0 row.
fn input_index(code: i32) -> u32 {
  return u32(-1 - code);
}

// ---- forward ----

struct GatherH0 { n: u32, H: u32, h0_off: u32, has_h0: u32 }
@group(0) @binding(0) var<uniform> PG: GatherH0;
@group(0) @binding(1) var<storage, read> g_h0: array<f32>;
@group(0) @binding(2) var<storage, read> g_idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> g_s: array<f32>;

@compute @workgroup_size(WG)
fn gather_h0(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= PG.n) { return; }
  let k = i / PG.H;
  let j = i % PG.H;
  var v = 0.0;
  if (PG.has_h0 == 1u) { v = g_h0[PG.h0_off + input_index(g_idx[k]) * PG.H + j]; }
  g_s[i] = v;
}

struct CellForward { n: u32, H: u32, row0: u32, hbase: u32, obase: u32, gbase: u32, save: u32 }
@group(0) @binding(0) var<uniform> PF: CellForward;
@group(0) @binding(1) var<storage, read> f_gi: array<f32>;
@group(0) @binding(2) var<storage, read> f_gh: array<f32>;
@group(0) @binding(3) var<storage, read> f_bih: array<f32>;
@group(0) @binding(4) var<storage, read> f_bhh: array<f32>;
@group(0) @binding(5) var<storage, read_write> f_s: array<f32>;

@compute @workgroup_size(WG)
fn cell_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= PF.n) { return; }
  let H = PF.H;
  let k = i / H;
  let j = i % H;
  let row = PF.row0 + k;
  let a = row * 3u * H;
  let b = k * 3u * H;
  let ghn = f_gh[b + 2u * H + j] + f_bhh[2u * H + j];
  let c = cell(
    f_gi[a + j] + f_bih[j], f_gi[a + H + j] + f_bih[H + j], f_gi[a + 2u * H + j] + f_bih[2u * H + j],
    f_gh[b + j] + f_bhh[j], f_gh[b + H + j] + f_bhh[H + j], ghn, f_s[(PF.hbase + k) * H + j],
  );
  f_s[(PF.obase + k) * H + j] = c.x;
  if (PF.save == 1u) {
    let g = PF.gbase + row * 4u * H;
    f_s[g + j] = c.y;
    f_s[g + H + j] = c.z;
    f_s[g + 2u * H + j] = c.w;
    f_s[g + 3u * H + j] = ghn;
  }
}

struct GatherLast { n: u32, H: u32, obase: u32, last_at: u32, hn_off: u32 }
@group(0) @binding(0) var<uniform> PL: GatherLast;
@group(0) @binding(1) var<storage, read> l_s: array<f32>;
@group(0) @binding(2) var<storage, read> l_idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> l_hn: array<f32>;

@compute @workgroup_size(WG)
fn gather_last(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= PL.n) { return; }
  let b = i / PL.H;
  let j = i % PL.H;
  l_hn[PL.hn_off + i] = l_s[(PL.obase + u32(l_idx[PL.last_at + b])) * PL.H + j];
}

struct Dropout { n: u32, seed: u32, src_off: u32, drop_off: u32, mask_off: u32, p: f32, keep: f32 }
@group(0) @binding(0) var<uniform> PD: Dropout;
@group(0) @binding(1) var<storage, read_write> d_ws: array<f32>;

@compute @workgroup_size(WG)
fn dropout_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= PD.n) { return; }
  let m = select(0.0, PD.keep, dropout_uniform(PD.seed, i) >= PD.p);
  d_ws[PD.mask_off + i] = m;
  d_ws[PD.drop_off + i] = d_ws[PD.src_off + i] * m;
}

struct Copy { n: u32, src_off: u32, dst_off: u32 }
@group(0) @binding(0) var<uniform> PC: Copy;
@group(0) @binding(1) var<storage, read> c_src: array<f32>;
@group(0) @binding(2) var<storage, read_write> c_dst: array<f32>;

@compute @workgroup_size(WG)
fn copy_range(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < PC.n) { c_dst[PC.dst_off + i] = c_src[PC.src_off + i]; }
}

// ---- backward ----

struct GatherHprev { n: u32, H: u32, o_off: u32, h0_off: u32, has_h0: u32 }
@group(0) @binding(0) var<uniform> PH: GatherHprev;
@group(0) @binding(1) var<storage, read> h_out: array<f32>;
@group(0) @binding(2) var<storage, read> h_h0: array<f32>;
@group(0) @binding(3) var<storage, read> h_idx: array<i32>;
@group(0) @binding(4) var<storage, read_write> h_hp: array<f32>;

@compute @workgroup_size(WG)
fn gather_hprev(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= PH.n) { return; }
  let r = i / PH.H;
  let j = i % PH.H;
  let p = h_idx[r];
  var v = 0.0;
  if (p >= 0) { v = h_out[PH.o_off + u32(p) * PH.H + j]; }
  else if (PH.has_h0 == 1u) { v = h_h0[PH.h0_off + input_index(p) * PH.H + j]; }
  h_hp[i] = v;
}

struct CellBackward {
  n: u32, H: u32, row0: u32, next_row0: u32, next_bs: u32,
  dhn_off: u32, has_dhn: u32, has_d: u32, has_mask: u32, mask_off: u32, gates_off: u32,
}
@group(0) @binding(0) var<uniform> PB: CellBackward;
@group(0) @binding(1) var<storage, read> b_gc: array<f32>;
@group(0) @binding(2) var<storage, read> b_d: array<f32>;
@group(0) @binding(3) var<storage, read> b_ws: array<f32>;
@group(0) @binding(4) var<storage, read> b_hp: array<f32>;
@group(0) @binding(5) var<storage, read> b_idx: array<i32>;
@group(0) @binding(6) var<storage, read> b_dhn: array<f32>;
@group(0) @binding(7) var<storage, read_write> b_dg: array<f32>;

@compute @workgroup_size(WG)
fn cell_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= PB.n) { return; }
  let H = PB.H;
  let k = i / H;
  let j = i % H;
  let row = PB.row0 + k;
  var dh = 0.0;
  if (k < PB.next_bs) { dh = b_gc[k * H + j] + b_dg[(PB.next_row0 + k) * 7u * H + 6u * H + j]; }
  else if (PB.has_dhn == 1u) { dh = b_dhn[PB.dhn_off + input_index(b_idx[k]) * H + j]; }
  if (PB.has_d == 1u) {
    var g = b_d[row * H + j];
    if (PB.has_mask == 1u) { g *= b_ws[PB.mask_off + row * H + j]; }
    dh += g;
  }
  let gt = PB.gates_off + row * 4u * H;
  let g = cell_grads(dh, b_ws[gt + j], b_ws[gt + H + j], b_ws[gt + 2u * H + j], b_ws[gt + 3u * H + j], b_hp[row * H + j]);
  for (var q = 0u; q < 7u; q++) { b_dg[row * 7u * H + q * H + j] = g[q]; }
}

struct ScatterDh0 { n: u32, H: u32, dh0_off: u32 }
@group(0) @binding(0) var<uniform> PS: ScatterDh0;
@group(0) @binding(1) var<storage, read> s_gc: array<f32>;
@group(0) @binding(2) var<storage, read> s_dg: array<f32>;
@group(0) @binding(3) var<storage, read> s_idx: array<i32>;
@group(0) @binding(4) var<storage, read_write> s_dh0: array<f32>;

@compute @workgroup_size(WG)
fn scatter_dh0(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= PS.n) { return; }
  let H = PS.H;
  let k = i / H;
  let j = i % H;
  s_dh0[PS.dh0_off + input_index(s_idx[k]) * H + j] = s_gc[i] + s_dg[k * 7u * H + 6u * H + j];
}


// ---- whole sequence: every step of a layer in one dispatch ----
// A workgroup runs sorted positions k0 … k0 + m − 1 (k0 = workgroup · m) through all their
// steps, their state (forward) or the gradient carried to the step before (backward) in
// workgroup memory: m·H ≤ SEQ_TILE floats. Sequences are sorted by length, so the group runs
// the first len(k0) steps, position k at step t while k < batchSizes[t]. W_hh is read from
// global memory at every step (it stays in cache) so that consecutive invocations (units)
// read consecutive floats: the forward reads W_hhᵀ (H×3H, from transpose_whh), the backward
// W_hh itself. After idx's total + B entries come
// offsets[t] (T), then batchSizes[t] (T). A step's results go to global memory, and after a
// storage barrier are read back by the whole workgroup: no grid-wide synchronisation is
// needed because sequences are independent. SEQ_TILE floats and q_steps fill WebGPU's
// default 16 KiB of workgroup memory.
const SEQ_TILE: u32 = 4092u;
var<workgroup> q_tile: array<f32, SEQ_TILE>;
var<workgroup> q_steps: u32;

struct Transpose { n: u32, H: u32 }
@group(0) @binding(0) var<uniform> PT: Transpose;
@group(0) @binding(1) var<storage, read> t_w: array<f32>;
@group(0) @binding(2) var<storage, read_write> t_wt: array<f32>;

// wt (H×3H) = W_hhᵀ, n = 3H·H floats.
@compute @workgroup_size(WG)
fn transpose_whh(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = flat_index(wid, nwg, lid);
  if (e >= PT.n) { return; }
  let i = e / (3u * PT.H);
  let g = e % (3u * PT.H);
  t_wt[e] = t_w[g * PT.H + i];
}

struct SeqForward { H: u32, m: u32, B: u32, T: u32, total: u32, gbase: u32, save: u32 }
@group(0) @binding(0) var<uniform> PQ: SeqForward;
// bindings 1, 3 and 4: cell_forward's (f_gi, f_bih, f_bhh)
@group(0) @binding(2) var<storage, read> q_wt: array<f32>;
@group(0) @binding(5) var<storage, read> q_idx: array<i32>;
@group(0) @binding(6) var<storage, read_write> q_s: array<f32>;

// S as for cell_forward: h0 in sorted order (rows 0 … B−1, from gather_h0), then the
// outputs (row B + packed row), then with save the gates at gbase.
@compute @workgroup_size(WG)
fn seq_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let H = PQ.H;
  let k0 = wid.x * PQ.m;
  let mH = PQ.m * H;
  let offs = PQ.total + PQ.B;
  let sizes = offs + PQ.T;
  if (lid == 0u) { // the group's steps: the t with batchSizes[t] > k0 (a prefix)
    var s = 0u;
    while (s < PQ.T && u32(q_idx[sizes + s]) > k0) { s++; }
    q_steps = s;
  }
  for (var p = lid; p < mH; p += WG) {
    let k = k0 + p / H;
    if (k < PQ.B) { q_tile[p] = q_s[k * H + p % H]; }
  }
  let steps = workgroupUniformLoad(&q_steps); // a barrier too: the tile is loaded
  for (var t = 0u; t < steps; t++) {
    let row0 = u32(q_idx[offs + t]);
    let bs = u32(q_idx[sizes + t]);
    for (var p = lid; p < mH; p += WG) {
      let kk = p / H;
      let j = p % H;
      let k = k0 + kk;
      if (k >= bs) { continue; }
      // gh = h·W_hhᵀ for the three gates of unit j
      var ar = 0.0;
      var az = 0.0;
      var an = 0.0;
      for (var i = 0u; i < H; i++) {
        let h = q_tile[kk * H + i];
        let w = i * 3u * H + j;
        ar += h * q_wt[w];
        az += h * q_wt[w + H];
        an += h * q_wt[w + 2u * H];
      }
      let row = row0 + k;
      let a = row * 3u * H;
      let ghn = an + f_bhh[2u * H + j];
      let c = cell(
        f_gi[a + j] + f_bih[j], f_gi[a + H + j] + f_bih[H + j], f_gi[a + 2u * H + j] + f_bih[2u * H + j],
        ar + f_bhh[j], az + f_bhh[H + j], ghn, q_tile[kk * H + j],
      );
      q_s[(PQ.B + row) * H + j] = c.x;
      if (PQ.save == 1u) {
        let g = PQ.gbase + row * 4u * H;
        q_s[g + j] = c.y;
        q_s[g + H + j] = c.z;
        q_s[g + 2u * H + j] = c.w;
        q_s[g + 3u * H + j] = ghn;
      }
    }
    storageBarrier();
    workgroupBarrier(); // every state of step t written, and every read of the tile done
    for (var p = lid; p < mH; p += WG) {
      let k = k0 + p / H;
      if (k < bs) { q_tile[p] = q_s[(PQ.B + row0 + k) * H + p % H]; }
    }
    workgroupBarrier();
  }
}

struct SeqBackward {
  H: u32, m: u32, B: u32, T: u32, total: u32,
  dhn_off: u32, has_dhn: u32, has_d: u32, has_mask: u32, mask_off: u32, gates_off: u32,
}
@group(0) @binding(0) var<uniform> PR: SeqBackward;
@group(0) @binding(1) var<storage, read> r_whh: array<f32>;
// bindings 2–7: cell_backward's (b_d, b_ws, b_hp, b_idx, b_dhn, b_dg)

// Dg as for cell_backward (total×7H), then B×H floats: the gradient carried past step 0 of
// each sorted position (the state gradient before the sequence: dh0, for scatter_carry).
// The tile holds each position's carry: dhn (or 0) before its last step, then after each
// step t, dgh·W_hh + dh·z of step t.
@compute @workgroup_size(WG)
fn seq_backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let H = PR.H;
  let k0 = wid.x * PR.m;
  let mH = PR.m * H;
  let offs = PR.total + PR.B;
  let sizes = offs + PR.T;
  if (lid == 0u) {
    var s = 0u;
    while (s < PR.T && u32(b_idx[sizes + s]) > k0) { s++; }
    q_steps = s;
  }
  for (var p = lid; p < mH; p += WG) {
    let k = k0 + p / H;
    if (k >= PR.B) { continue; }
    var c = 0.0;
    if (PR.has_dhn == 1u) { c = b_dhn[PR.dhn_off + input_index(b_idx[k]) * H + p % H]; }
    q_tile[p] = c;
  }
  let steps = workgroupUniformLoad(&q_steps);
  for (var u = 0u; u < steps; u++) {
    let t = steps - 1u - u;
    let row0 = u32(b_idx[offs + t]);
    let bs = u32(b_idx[sizes + t]);
    for (var p = lid; p < mH; p += WG) {
      let j = p % H;
      let k = k0 + p / H;
      if (k >= bs) { continue; }
      let row = row0 + k;
      var dh = q_tile[p];
      if (PR.has_d == 1u) {
        var g = b_d[row * H + j];
        if (PR.has_mask == 1u) { g *= b_ws[PR.mask_off + row * H + j]; }
        dh += g;
      }
      let gt = PR.gates_off + row * 4u * H;
      let g = cell_grads(dh, b_ws[gt + j], b_ws[gt + H + j], b_ws[gt + 2u * H + j], b_ws[gt + 3u * H + j], b_hp[row * H + j]);
      for (var q = 0u; q < 7u; q++) { b_dg[row * 7u * H + q * H + j] = g[q]; }
    }
    storageBarrier();
    workgroupBarrier(); // the step's gate gradients written, and every read of the tile done
    for (var p = lid; p < mH; p += WG) {
      let i = p % H;
      let k = k0 + p / H;
      if (k >= bs) { continue; }
      let o = (row0 + k) * 7u * H;
      var c = b_dg[o + 6u * H + i];
      for (var g = 0u; g < 3u * H; g++) { c += b_dg[o + 3u * H + g] * r_whh[g * H + i]; }
      q_tile[p] = c;
    }
    workgroupBarrier();
  }
  let carry = PR.total * 7u * H;
  for (var p = lid; p < mH; p += WG) {
    let k = k0 + p / H;
    if (k < PR.B) { b_dg[carry + k * H + p % H] = q_tile[p]; }
  }
}

struct ScatterCarry { n: u32, H: u32, carry: u32, dh0_off: u32 }
@group(0) @binding(0) var<uniform> PK: ScatterCarry;
@group(0) @binding(1) var<storage, read> k_dg: array<f32>;
@group(0) @binding(2) var<storage, read> k_idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> k_dh0: array<f32>;

// dh0[dh0_off + input index of sorted k …] = the carry seq_backward left for position k.
@compute @workgroup_size(WG)
fn scatter_carry(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= PK.n) { return; }
  let k = i / PK.H;
  k_dh0[PK.dh0_off + input_index(k_idx[k]) * PK.H + i % PK.H] = k_dg[PK.carry + i];
}
