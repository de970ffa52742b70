#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

// Counter-based: element i's draw depends only on (seed, i), so every backend (and the
// TypeScript reference, ts/backend/reference/dropout.ts) produces the same mask.
float dropout_uniform(uint32_t seed, uint64_t i) {
  uint32_t h = seed ^ static_cast<uint32_t>(i * 0x9E3779B9u) ^ static_cast<uint32_t>(i >> 32);
  h ^= h >> 16; h *= 0x85EBCA6Bu;
  h ^= h >> 13; h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return static_cast<float>(h >> 8) * (1.0f / 16777216.0f);
}

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
