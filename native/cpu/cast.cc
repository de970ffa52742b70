#include <cstring>
#include <limits>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

uint16_t f32_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u) return sign | (ax > 0x7F800000u ? 0x7E00u : 0x7C00u);  // NaN / Inf
  if (ax >= 0x477FF000u) return sign | 0x7C00u;  // rounds to ≥ 65520: overflow to Inf
  if (ax < 0x38800000u) {                        // below 2^-14: subnormal half or zero
    if (ax < 0x33000000u) return sign;           // below 2^-25: rounds to zero
    const uint32_t e = ax >> 23, mant = (ax & 0x7FFFFFu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14..24
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return sign | static_cast<uint16_t>(h);
  }
  uint32_t h = ((ax >> 13) - (112u << 10));  // rebias exponent 127 → 15
  const uint32_t rem = ax & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return sign | static_cast<uint16_t>(h);
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x3FFu, x;
  if (e == 0x1F) x = sign | 0x7F800000u | (m << 13);
  else if (e != 0) x = sign | ((e + 112u) << 23) | (m << 13);
  else if (m == 0) x = sign;
  else {  // subnormal: normalise
    e = 113;
    while (!(m & 0x400u)) { m <<= 1; --e; }
    x = sign | (e << 23) | ((m & 0x3FFu) << 13);
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

void cast_f32_f16(const float* x, uint16_t* y, int64_t n) {
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = f32_to_f16(x[i]);
  });
}

void cast_f16_f32(const uint16_t* x, float* y, int64_t n) {
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = f16_to_f32(x[i]);
  });
}

void cast_i32_f32(const int32_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(x[i]);
}

int64_t cast_i64_i32(const int64_t* x, int32_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (x[i] < std::numeric_limits<int32_t>::min() || x[i] > std::numeric_limits<int32_t>::max())
      return i;
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<int32_t>(x[i]);
  return -1;
}

void cast_i32_i64(const int32_t* x, int64_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i];
}

}  // namespace seqcore
