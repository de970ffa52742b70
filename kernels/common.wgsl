// Prepended to every kernel. 1-D kernels run 128 invocations per workgroup (the
// compatibility-mode limit) and are folded into 2-D grids past 65,535 workgroups.
const WG: u32 = 128u;

// The flat invocation index of a (possibly folded) 1-D dispatch.
fn flat_index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid;
}

// dropout_uniform(uint32 seed, uint64 i) of native/cpu/dropout.cc bit for bit (for i < 2^32
// its i >> 32 term is 0): a value k/2^24 in [0, 1).
fn dropout_uniform(seed: u32, i: u32) -> f32 {
  var h = seed ^ (i * 0x9E3779B9u);
  h ^= h >> 16u;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13u;
  h *= 0xC2B2AE35u;
  h ^= h >> 16u;
  return f32(h >> 8u) * (1.0 / 16777216.0);
}

// A quiet NaN computed at run time (a NaN constant is a shader-creation error): pass a
// runtime value & 0u.
fn quiet_nan(runtime_zero: u32) -> f32 {
  return bitcast<f32>(0x7FC00000u | runtime_zero);
}

// Whether x is neither NaN nor ±Inf, by its bits (WGSL lets compilers assume floats finite, so
// comparisons cannot be trusted to see them).
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7F800000u) != 0x7F800000u;
}
