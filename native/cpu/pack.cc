#include "cpu/pack.h"

#include <cstring>

#include "cpu/threadpool.h"

namespace seqcore {

const char* packed_layout_init(PackedLayout* l, const int32_t* bs, int64_t T, const int32_t* sorted, int64_t B) {
  if (T == 0 || B == 0) return "a packed batch needs at least one sequence and one step";
  if (bs[0] != B) return "batch_sizes[0] must equal the number of sequences";
  std::vector<char> seen(B, 0);
  for (int64_t i = 0; i < B; ++i) {
    if (sorted[i] < 0 || sorted[i] >= B || seen[sorted[i]]) return "sorted indices must be a permutation of 0..B-1";
    seen[sorted[i]] = 1;
  }
  l->B = B;
  l->T = T;
  l->batch_sizes = bs;
  l->sorted = sorted;
  l->offsets.assign(T + 1, 0);
  l->lengths.assign(B, 0);
  for (int64_t t = 0; t < T; ++t) {
    if (bs[t] < 1 || (t > 0 && bs[t] > bs[t - 1])) return "batch_sizes must be positive and non-increasing";
    l->offsets[t + 1] = l->offsets[t] + bs[t];
    for (int64_t i = 0; i < bs[t]; ++i) l->lengths[i] = t + 1;
  }
  l->total = l->offsets[T];
  return "";
}

void pack_padded(const float* padded, int64_t Tpad, int64_t E, const PackedLayout& l, float* packed) {
  parallel_for(l.T, 1 + (1 << 14) / (E * l.B + 1), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t)
      for (int64_t i = 0; i < l.batch_sizes[t]; ++i)
        std::memcpy(packed + (l.offsets[t] + i) * E, padded + (l.sorted[i] * Tpad + t) * E, E * sizeof(float));
  });
}

void unpack_padded(const float* packed, int64_t Tpad, int64_t E, const PackedLayout& l, float* padded) {
  parallel_for(l.B, 1 + (1 << 14) / (E * Tpad + 1), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      float* dst = padded + l.sorted[i] * Tpad * E;
      for (int64_t t = 0; t < Tpad; ++t) {
        if (t < l.lengths[i])
          std::memcpy(dst + t * E, packed + (l.offsets[t] + i) * E, E * sizeof(float));
        else
          std::memset(dst + t * E, 0, E * sizeof(float));
      }
    }
  });
}

}  // namespace seqcore
