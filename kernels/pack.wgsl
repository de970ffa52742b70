// Packing of padded batches (float32, E features per row) through a row map computed on the
// host from the PackedLayout: rows (total) holds, for packed row r (step t, sorted position
// i), the padded row b·T + t of input sequence b = sortedIndices[i].
//   pack:   packed (total×E)[r] = padded (B×T×E)[rows[r]]
//   unpack: padded[rows[r]] = packed[r]  (padded is cleared first: zeros past each end)
struct Params { total: u32, e: u32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<i32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn pack(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.total * P.e) { dst[i] = src[u32(rows[i / P.e]) * P.e + i % P.e]; }
}

@compute @workgroup_size(WG)
fn unpack(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.total * P.e) { dst[u32(rows[i / P.e]) * P.e + i % P.e] = src[i]; }
}
