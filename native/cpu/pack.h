// Packed sequences (time-major, sorted by length, as PyTorch's PackedSequence):
//   sorted[i]       the original index of the i-th longest sequence (ties keep input order)
//   batch_sizes[t]  how many sequences are longer than t (non-increasing, batch_sizes[0] = B)
//   packed row offset(t) + i holds step t of sequence sorted[i], for i < batch_sizes[t]
#pragma once
#include <cstdint>
#include <vector>

namespace seqcore {

struct PackedLayout {
  int64_t B = 0, T = 0, total = 0;
  const int32_t* batch_sizes = nullptr;  // T
  const int32_t* sorted = nullptr;       // B
  std::vector<int64_t> offsets;          // T + 1
  std::vector<int64_t> lengths;          // B, in sorted order
};

// Builds offsets and lengths; returns an empty string or what is wrong with the arrays.
const char* packed_layout_init(PackedLayout* layout, const int32_t* batch_sizes, int64_t T, const int32_t* sorted,
                               int64_t B);

// padded: B×Tpad×E batch-first → packed: total×E, and back (padding written as zeros).
void pack_padded(const float* padded, int64_t Tpad, int64_t E, const PackedLayout& l, float* packed);
void unpack_padded(const float* packed, int64_t Tpad, int64_t E, const PackedLayout& l, float* padded);

}  // namespace seqcore
