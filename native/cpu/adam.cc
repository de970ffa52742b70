#include <cmath>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

// Matches torch.optim.Adam / AdamW: Adam adds weight_decay·p to the gradient; AdamW
// multiplies p by (1 - lr·weight_decay) before the update.
void adam_step(float* p, const float* g, float* m, float* v, int64_t n, const AdamParams& a) {
  const float bc1 = 1.f - static_cast<float>(std::pow(a.beta1, a.step));
  const float bc2 = 1.f - static_cast<float>(std::pow(a.beta2, a.step));
  const float step_size = a.lr / bc1, inv_sqrt_bc2 = 1.f / std::sqrt(bc2);
  const float decay = a.decoupled ? 1.f - a.lr * a.weight_decay : 1.f;
  const float l2 = a.decoupled ? 0.f : a.weight_decay;
  parallel_for(n, 1 << 14, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      const float gi = g[i] * a.grad_scale + l2 * p[i];
      m[i] = a.beta1 * m[i] + (1.f - a.beta1) * gi;
      v[i] = a.beta2 * v[i] + (1.f - a.beta2) * gi * gi;
      p[i] = p[i] * decay - step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + a.eps);
    }
  });
}

}  // namespace seqcore
