// Inverted dropout, flat over n float32 elements. The mask is a uint8 tensor (1 kept,
// 0 dropped); WGSL has no 8-bit storage, so it is read and written as u32 words, element i
// being byte i % 4 (little-endian) of word i / 4.
//   dropout_mask:  mask (⌈n/4⌉ words): element i kept iff dropout_uniform(seed, i) >= p;
//                  one invocation per word (it alone writes it), bytes past n are 0
//   dropout_apply: out (n) = mask[i] ? x·1/(1 − p) : 0 — the forward's y from x, and the
//                  backward's dx from dy
struct Params { n: u32, seed: u32, p: f32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read_write> mask_out: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn dropout_mask(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = flat_index(wid, nwg, lid);
  if (w >= (P.n + 3u) / 4u) { return; }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = 4u * w + k;
    if (i < P.n && dropout_uniform(P.seed, i) >= P.p) { word |= 1u << (8u * k); }
  }
  mask_out[w] = word;
}

@compute @workgroup_size(WG)
fn dropout_apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n) { return; }
  let keep = (mask[i / 4u] >> (8u * (i % 4u))) & 0xFFu;
  out[i] = select(0.0, x[i] * (1.0 / (1.0 - P.p)), keep != 0u);
}
