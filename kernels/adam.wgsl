// One fused Adam/AdamW step over one parameter tensor of n floats, in place on p, m and v (as
// native/cpu/adam.cc, the math of native/common/adam_math.h):
//   g' = scale·g + l2·p;  m = β1·m + (1−β1)·g';  v = β2·v + (1−β2)·g'²;
//   p = decay·p − step_size·m / (√v·inv_sqrt_bc2 + eps)
// with step_size = lr/(1−β1^t), inv_sqrt_bc2 = 1/√(1−β2^t), decay = 1 − lr·wd (AdamW) or 1,
// l2 = wd (Adam) or 0, computed on the host, and scale = clip[1], grad_clip.wgsl's factor, read
// here: when it is not finite (a NaN/Inf gradient), nothing is written.
struct Params { n: u32, beta1: f32, beta2: f32, eps: f32, step_size: f32, inv_sqrt_bc2: f32, decay: f32, l2: f32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> clip: array<f32>;
@group(0) @binding(3) var<storage, read_write> p: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  let scale = clip[1];
  if (i >= P.n || !is_finite(scale)) { return; }
  let gi = g[i] * scale + P.l2 * p[i];
  let mi = P.beta1 * m[i] + (1.0 - P.beta1) * gi;
  let vi = P.beta2 * v[i] + (1.0 - P.beta2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  p[i] = p[i] * P.decay - P.step_size * mi / (sqrt(vi) * P.inv_sqrt_bc2 + P.eps);
}
