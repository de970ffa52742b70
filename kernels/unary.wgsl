// Activations and their gradients on float32, flat over n elements (op 0 sigmoid, 1 tanh,
// 2 relu, 3 gelu with the exact erf form).
//   unary:      y = f(x)
//   unary_grad: dx = dy·f'(x); sigmoid and tanh read y, relu and gelu read x
struct Params { n: u32, op: u32 }
@group(0) @binding(0) var<uniform> P: Params;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y_out: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, under float32's
// rounding at the values GELU uses); WGSL has no erf.
fn erf(v: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(v));
  let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(v) * (1.0 - p * exp(-v * v));
}

@compute @workgroup_size(WG)
fn unary(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n) { return; }
  let v = x[i];
  switch P.op {
    case 0u: { y_out[i] = 1.0 / (1.0 + exp(-v)); }
    case 1u: { y_out[i] = tanh(v); }
    case 2u: { y_out[i] = max(v, 0.0); }
    default: { y_out[i] = 0.5 * v * (1.0 + erf(v * 0.70710678118654752)); }
  }
}

@compute @workgroup_size(WG)
fn unary_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= P.n) { return; }
  let g = dy[i];
  switch P.op {
    case 0u: { dx[i] = g * y[i] * (1.0 - y[i]); }
    case 1u: { dx[i] = g * (1.0 - y[i] * y[i]); }
    case 2u: { dx[i] = select(0.0, g, x[i] > 0.0); }
    default: {
      let v = x[i];
      dx[i] = g * (0.5 * (1.0 + erf(v * 0.70710678118654752)) + v * 0.3989422804014327 * exp(-0.5 * v * v));
    }
  }
}
