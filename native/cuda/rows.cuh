// Launch shape and indexing of the row-wise kernels over packed sequences (gru.cu, pack.cu):
// rows × cols elements, threadIdx.x over a row's columns (a warp reads consecutive floats),
// threadIdx.y over rows, kThreads a block; grid-stride on both axes, the grid capped at
// grid_for's few waves (and at 65535 blocks on y).
#pragma once
#include <algorithm>
#include <cstdint>

#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {

struct Shape2 {
  dim3 grid, block;
};

inline Shape2 shape_2d(int64_t rows, int64_t cols) {
  const unsigned tx = cols > 64 ? 128 : (cols > 32 ? 64 : 32);
  const unsigned ty = kThreads / tx;
  const int64_t cap = grid_for(rows * cols, kThreads);
  const int64_t bx = std::max<int64_t>(1, std::min<int64_t>((cols + tx - 1) / tx, cap));
  const int64_t by = std::max<int64_t>(1, std::min<int64_t>({(rows + ty - 1) / ty, cap / bx, 65535}));
  return {dim3(static_cast<unsigned>(bx), static_cast<unsigned>(by)), dim3(tx, ty)};
}

__device__ __forceinline__ int64_t row_begin() { return static_cast<int64_t>(blockIdx.y) * blockDim.y + threadIdx.y; }
__device__ __forceinline__ int64_t row_stride() { return static_cast<int64_t>(gridDim.y) * blockDim.y; }
__device__ __forceinline__ int64_t col_begin() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ __forceinline__ int64_t col_stride() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

// The step t of packed row r: the last t with offsets[t] <= r (offsets strictly increase,
// offsets[T] = total > r).
__device__ __forceinline__ int64_t step_of_row(const int64_t* __restrict__ offsets, int64_t T, int64_t r) {
  int64_t lo = 0, hi = T;
  while (hi - lo > 1) {
    const int64_t mid = (lo + hi) / 2;
    if (offsets[mid] <= r)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

}  // namespace cuda
}  // namespace seqcore
