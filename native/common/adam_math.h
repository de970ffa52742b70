// The optimizer math shared by native/cpu/adam.cc and native/cuda/adam.cu, so both compute the
// same bits: the Adam step's per-step scalars (host) and the global-norm clip (host and device).
#pragma once
#include <cmath>
#include <cstdint>

#include "common/device_math.h"  // SEQCORE_HD, bits_float
#include "common/kernel_types.h"

namespace seqcore {

// What every element's update uses (torch.optim.Adam / AdamW):
//   g' = scale·g + l2·p;  m = β1·m + (1−β1)·g';  v = β2·v + (1−β2)·g'·g';
//   p = decay·p − step_size·m / (√v·inv_sqrt_bc2 + eps)
// with step_size = lr/(1−β1^t), inv_sqrt_bc2 = 1/√(1−β2^t), decay = 1 − lr·wd (AdamW) or 1,
// l2 = wd (Adam) or 0, and scale the clip factor (grad_clip's out[1]). Host only (std::pow).
struct AdamScalars {
  float beta1, beta2, one_minus_beta1, one_minus_beta2, eps;
  float step_size, inv_sqrt_bc2, decay, l2;
};

inline AdamScalars adam_scalars(const AdamParams& a) {
  const float bc1 = 1.f - static_cast<float>(std::pow(a.beta1, a.step));
  const float bc2 = 1.f - static_cast<float>(std::pow(a.beta2, a.step));
  AdamScalars s;
  s.beta1 = a.beta1;
  s.beta2 = a.beta2;
  s.one_minus_beta1 = 1.f - a.beta1;
  s.one_minus_beta2 = 1.f - a.beta2;
  s.eps = a.eps;
  s.step_size = a.lr / bc1;
  s.inv_sqrt_bc2 = 1.f / std::sqrt(bc2);
  s.decay = a.decoupled ? 1.f - a.lr * a.weight_decay : 1.f;
  s.l2 = a.decoupled ? 0.f : a.weight_decay;
  return s;
}

// Whether a float is neither NaN nor ±Inf (by its bits: no libm, the same on the device).
SEQCORE_HD bool finite_float(float x) { return (float_bits(x) & 0x7F800000u) != 0x7F800000u; }

// out[0] = norm = √(Σ ss[0..k)), the sum in float64 in index order; out[1] = the clip factor
// max_norm/(norm + 1e-6) when norm > max_norm, else 1 (max_norm = ∞: never), in float64 and
// then rounded, as torch's clip_grad_norm_; NaN when the norm is not finite, so that the Adam
// kernels, which skip everything when it is not finite, never write a NaN/Inf gradient into
// the weights. Serial on purpose: k is the number of parameter tensors (tens to hundreds), and
// one order makes the cpu and the cuda results the same bits.
SEQCORE_HD void global_norm_clip(const float* ss, int64_t k, double max_norm, float* out) {
  double sum = 0;
  for (int64_t i = 0; i < k; ++i) sum += ss[i];
  const double norm = sqrt(sum);
  // sum ≥ 0 unless a NaN or a negative (impossible) term came in: only NaN and +∞ fail this.
  const bool finite = norm <= 1.7976931348623157e308;
  const double scale = norm > max_norm ? max_norm / (norm + 1e-6) : 1.0;
  out[0] = static_cast<float>(norm);
  out[1] = finite ? static_cast<float>(scale) : bits_float(0x7FC00000u);
}

}  // namespace seqcore
