#include <cstring>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {
namespace {
int64_t total_width(const int64_t* widths, int64_t count) {
  int64_t w = 0;
  for (int64_t p = 0; p < count; ++p) w += widths[p];
  return w;
}
}  // namespace

void concat_last(const float* const* parts, const int64_t* widths, int64_t count, float* out, int64_t rows) {
  const int64_t W = total_width(widths, count);
  parallel_for(rows, 1 + (1 << 14) / (W + 1), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      float* dst = out + r * W;
      for (int64_t p = 0; p < count; ++p) {
        std::memcpy(dst, parts[p] + r * widths[p], widths[p] * sizeof(float));
        dst += widths[p];
      }
    }
  });
}

void split_last(const float* x, float* const* parts, const int64_t* widths, int64_t count, int64_t rows) {
  const int64_t W = total_width(widths, count);
  parallel_for(rows, 1 + (1 << 14) / (W + 1), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* src = x + r * W;
      for (int64_t p = 0; p < count; ++p) {
        std::memcpy(parts[p] + r * widths[p], src, widths[p] * sizeof(float));
        src += widths[p];
      }
    }
  });
}

}  // namespace seqcore
