// Adam / AdamW over every parameter tensor in one call, and the global-norm clip it reads
// (common/adam_math.h: the math the CUDA kernels share).
#include <algorithm>
#include <vector>

#include "common/adam_math.h"
#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

void grad_clip(const float* ss, int64_t k, double max_norm, float* out) { global_norm_clip(ss, k, max_norm, out); }

// Matches torch.optim.Adam / AdamW: Adam adds weight_decay·p to the gradient; AdamW
// multiplies p by (1 - lr·weight_decay) before the update. The threads split the elements of
// all tensors together (offsets: tensor t holds elements off[t] … off[t+1] − 1 of the whole),
// so many small tensors cost one parallel pass, not one each.
void adam_steps(float* const* p, const float* const* g, float* const* m, float* const* v, const int64_t* n,
                int64_t count, const AdamParams& a, const float* clip) {
  const float scale = clip[1];
  if (!finite_float(scale)) return;  // a NaN/Inf gradient: leave everything as it was
  const AdamScalars s = adam_scalars(a);
  std::vector<int64_t> off(static_cast<size_t>(count) + 1, 0);
  for (int64_t t = 0; t < count; ++t) off[t + 1] = off[t] + n[t];
  parallel_for(off[count], 1 << 14, [&](int64_t b, int64_t e) {
    // The last tensor starting at or before b (tensors with no elements are passed over).
    int64_t t = std::upper_bound(off.begin(), off.end(), b) - off.begin() - 1;
    for (; b < e; ++t) {
      const int64_t end = std::min(e, off[t + 1]), base = off[t];
      float *pt = p[t], *mt = m[t], *vt = v[t];
      const float* gt = g[t];
      for (int64_t i = b - base; i < end - base; ++i) {
        const float gi = gt[i] * scale + s.l2 * pt[i];
        mt[i] = s.beta1 * mt[i] + s.one_minus_beta1 * gi;
        vt[i] = s.beta2 * vt[i] + s.one_minus_beta2 * gi * gi;
        pt[i] = pt[i] * s.decay - s.step_size * mt[i] / (std::sqrt(vt[i]) * s.inv_sqrt_bc2 + s.eps);
      }
      b = end;
    }
  });
}

}  // namespace seqcore
