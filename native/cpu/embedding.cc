#include <cstring>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

void embedding_gather(const float* table, int64_t /*V: ids were checked*/, const int32_t* ids, float* out, int64_t n,
                      int64_t E) {
  parallel_for(n, 1 + (1 << 14) / (E + 1), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      std::memcpy(out + i * E, table + static_cast<int64_t>(ids[i]) * E, E * sizeof(float));
  });
}

void embedding_scatter_add(const float* dy, const int32_t* ids, float* dtable, int64_t n, int64_t E,
                           int64_t /*V: ids were checked*/) {
  // Each thread owns a slice of the E columns for every row: no two threads ever touch the
  // same float, whatever the ids, and the summation order is fixed (deterministic).
  parallel_for(E, n * E >= (1 << 15) ? 16 : E, [&](int64_t b, int64_t e) {
    for (int64_t i = 0; i < n; ++i) {
      float* dst = dtable + static_cast<int64_t>(ids[i]) * E;
      const float* src = dy + i * E;
      for (int64_t j = b; j < e; ++j) dst[j] += src[j];
    }
  });
}

}  // namespace seqcore
