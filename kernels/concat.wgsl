// Concatenation along the last axis, one part per dispatch (float32, rows N):
//   concat_part: out (N×W)[:, off:off+d] = part (N×d)
//   split_part:  part (N×d) = x (N×W)[:, off:off+d]
struct Params { n: u32, d: u32, w: u32, off: u32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn concat_part(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n * P.d) { dst[(i / P.d) * P.w + P.off + i % P.d] = src[i]; }
}

@compute @workgroup_size(WG)
fn split_part(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n * P.d) { dst[i] = src[(i / P.d) * P.w + P.off + i % P.d]; }
}
