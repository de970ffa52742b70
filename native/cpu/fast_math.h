// exp without libm, written so the compiler vectorises loops that call it (used by the GRU
// cell and softmax cross-entropy). Cephes-style: x = k·ln2 + r with k rounded to nearest by
// the 1.5·2²³ trick (no floor, so it vectorises on plain SSE2 too), then a degree-6
// polynomial for e^r; about 2 ulp on [-87, 88], inputs outside clamped.
#pragma once
#include <cstdint>
#include <cstring>

namespace seqcore {

inline float fast_exp(float x) {
  x = x < -87.f ? -87.f : (x > 88.f ? 88.f : x);
  const float k = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  const float r = x - k * 0.693359375f + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  const int32_t bits = (static_cast<int32_t>(k) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, 4);
  return p * scale;
}

}  // namespace seqcore
