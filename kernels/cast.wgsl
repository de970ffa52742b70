// Conversions between dtypes, n elements. WGSL storage has no f16 (without an extension),
// i64 or u8, so float16 is read and written as pairs in u32 words and int64 as (low, high)
// word pairs; an f16 output is written one word (two elements) per invocation.
//   f32_to_f16, f16_to_f32, i32_to_f32, i32_to_i64,
//   i64_to_i32: a value outside the int32 range writes 0 and records fault 3 (position)
struct Params { n: u32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> x_f32: array<f32>;
@group(0) @binding(1) var<storage, read> x_u32: array<u32>;
@group(0) @binding(1) var<storage, read> x_i32: array<i32>;
@group(0) @binding(2) var<storage, read_write> y_f32: array<f32>;
@group(0) @binding(2) var<storage, read_write> y_u32: array<u32>;
@group(0) @binding(2) var<storage, read_write> faults: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> y_i32: array<i32>;

@compute @workgroup_size(WG)
fn f32_to_f16(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = flat_index(wid, nwg, lid);
  if (2u * w >= P.n) { return; }
  let hi = select(0.0, x_f32[2u * w + 1u], 2u * w + 1u < P.n);
  y_u32[w] = pack2x16float(vec2f(x_f32[2u * w], hi));
}

@compute @workgroup_size(WG)
fn f16_to_f32(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { y_f32[i] = unpack2x16float(x_u32[i / 2u])[i % 2u]; }
}

@compute @workgroup_size(WG)
fn i32_to_f32(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < P.n) { y_f32[i] = f32(x_i32[i]); }
}

@compute @workgroup_size(WG)
fn i32_to_i64(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n) { return; }
  let v = x_i32[i];
  y_u32[2u * i] = bitcast<u32>(v);
  y_u32[2u * i + 1u] = select(0u, 0xffffffffu, v < 0);
}

@compute @workgroup_size(WG)
fn i64_to_i32(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n) { return; }
  let lo = x_u32[2u * i];
  let hi = x_u32[2u * i + 1u];
  if (hi != select(0u, 0xffffffffu, (lo & 0x80000000u) != 0u)) {
    y_i32[i] = 0;
    if (atomicCompareExchangeWeak(&faults[0], 0u, 3u).exchanged) { atomicStore(&faults[1], i); }
    return;
  }
  y_i32[i] = bitcast<i32>(lo);
}
