// Packing a padded batch (B×Tpad×E, batch first) into the time-major packed layout of
// native/cpu/pack.h and back: the semantics of native/cpu/pack.cc. The layout's host arrays
// (offsets, lengths, sorted) are uploaded once per call.
#include <algorithm>
#include <cstdint>

#include "cuda/kernels.h"
#include "cuda/rows.cuh"
#include "cuda/runtime.h"

namespace seqcore {
namespace cuda {
namespace {

// packed row r = offsets[t] + i ← padded row (sorted[i], t). Shape: shape_2d(total, E).
__global__ void __launch_bounds__(kThreads)
    pack_kernel(const float* __restrict__ padded, int64_t Tpad, int64_t E, const int64_t* __restrict__ offsets,
                int64_t T, int64_t total, const int32_t* __restrict__ sorted, float* __restrict__ packed) {
  for (int64_t r = row_begin(); r < total; r += row_stride()) {
    const int64_t t = step_of_row(offsets, T, r);
    const int64_t i = r - offsets[t];
    const float* src = padded + (static_cast<int64_t>(sorted[i]) * Tpad + t) * E;
    float* dst = packed + r * E;
    for (int64_t j = col_begin(); j < E; j += col_stride()) dst[j] = src[j];
  }
}

// padded row (sorted[i], t) ← packed row offsets[t] + i while t < lengths[i], else zeros;
// q = i·Tpad + t. Shape: shape_2d(B·Tpad, E).
__global__ void __launch_bounds__(kThreads)
    unpack_kernel(const float* __restrict__ packed, int64_t Tpad, int64_t E, int64_t B,
                  const int64_t* __restrict__ offsets, const int64_t* __restrict__ lengths,
                  const int32_t* __restrict__ sorted, float* __restrict__ padded) {
  const int64_t rows = B * Tpad;
  for (int64_t q = row_begin(); q < rows; q += row_stride()) {
    const int64_t i = q / Tpad, t = q - i * Tpad;
    float* dst = padded + (static_cast<int64_t>(sorted[i]) * Tpad + t) * E;
    if (t < lengths[i]) {
      const float* src = packed + (offsets[t] + i) * E;
      for (int64_t j = col_begin(); j < E; j += col_stride()) dst[j] = src[j];
    } else {
      for (int64_t j = col_begin(); j < E; j += col_stride()) dst[j] = 0.f;
    }
  }
}

// The layout's arrays on the device, in one scratch block: offsets (T+1), lengths (B), sorted (B).
struct DeviceLayout {
  const int64_t* offsets;
  const int64_t* lengths;
  const int32_t* sorted;
};

size_t layout_bytes(const PackedLayout& l) {
  return static_cast<size_t>(l.T + 1 + l.B) * sizeof(int64_t) + static_cast<size_t>(l.B) * sizeof(int32_t);
}

DeviceLayout upload_layout(const PackedLayout& l, Scratch& s) {
  int64_t* offsets = s.as<int64_t>();
  int64_t* lengths = offsets + (l.T + 1);
  int32_t* sorted = reinterpret_cast<int32_t*>(lengths + l.B);
  upload(l.offsets.data(), offsets, static_cast<size_t>(l.T + 1) * sizeof(int64_t));
  upload(l.lengths.data(), lengths, static_cast<size_t>(l.B) * sizeof(int64_t));
  upload(l.sorted, sorted, static_cast<size_t>(l.B) * sizeof(int32_t));
  return {offsets, lengths, sorted};
}

}  // namespace

void pack_padded(const float* padded, int64_t Tpad, int64_t E, const PackedLayout& l, float* packed) {
  if (l.total <= 0 || E <= 0) return;
  Scratch s(layout_bytes(l));
  const DeviceLayout d = upload_layout(l, s);
  const Shape2 sh = shape_2d(l.total, E);
  pack_kernel<<<sh.grid, sh.block, 0, stream()>>>(padded, Tpad, E, d.offsets, l.T, l.total, d.sorted, packed);
  check_launch("pack_padded");
}

void unpack_padded(const float* packed, int64_t Tpad, int64_t E, const PackedLayout& l, float* padded) {
  if (l.B <= 0 || Tpad <= 0 || E <= 0) return;
  Scratch s(layout_bytes(l));
  const DeviceLayout d = upload_layout(l, s);
  const Shape2 sh = shape_2d(l.B * Tpad, E);
  unpack_kernel<<<sh.grid, sh.block, 0, stream()>>>(packed, Tpad, E, l.B, d.offsets, d.lengths, d.sorted, padded);
  check_launch("unpack_padded");
}

}  // namespace cuda
}  // namespace seqcore
