// Global-norm gradient clipping (native/cpu/adam.cc's grad_clip, native/common/adam_math.h)
// from the total of the gradients' sums of squares, which reduce.wgsl sums first:
//   out[0] = norm = √total;  out[1] = max_norm/(norm + 1e-6) when clip = 1 and norm > max_norm,
//   else 1; when the total is not finite, out[0] = the total (Inf or NaN) and out[1] = NaN,
//   and adam.wgsl writes nothing.
// In float32 (WGSL has no float64): a total past 3.4e38 (a norm past 1.8e19, a diverged run)
// reads as Inf here where the cpu's float64 sum would not overflow.
struct Params { clip: u32, max_norm: f32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> total: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(1)
fn grad_clip() {
  let s = total[0];
  let finite = is_finite(s);
  let norm = sqrt(s);
  var factor = 1.0;
  if (P.clip == 1u && norm > P.max_norm) { factor = P.max_norm / (norm + 1e-6); }
  out[0] = select(s, norm, finite);
  out[1] = select(quiet_nan(bitcast<u32>(s) & 0u), factor, finite);
}
