#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

void dropout(const float* x, float* y, uint8_t* mask, int64_t n, float p, uint32_t seed) {
  const float keep_scale = 1.f / (1.f - p);
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const bool keep = dropout_uniform(seed, static_cast<uint64_t>(i)) >= p;
      mask[i] = keep;
      y[i] = keep ? x[i] * keep_scale : 0.f;
    }
  });
}

void dropout_grad(const float* dy, const uint8_t* mask, float* dx, int64_t n, float p) {
  const float keep_scale = 1.f / (1.f - p);
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) dx[i] = mask[i] ? dy[i] * keep_scale : 0.f;
  });
}

}  // namespace seqcore
