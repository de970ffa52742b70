#include <cstring>
#include <limits>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

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
    if (x[i] < std::numeric_limits<int32_t>::min() || x[i] > std::numeric_limits<int32_t>::max()) return i;
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<int32_t>(x[i]);
  return -1;
}

void cast_i32_i64(const int32_t* x, int64_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i];
}

}  // namespace seqcore
