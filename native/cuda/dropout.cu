// Dropout, the CUDA side of native/cpu/dropout.cc: element i is kept iff
// dropout_uniform(seed, i) >= p (common/device_math.h, the same hash as every backend), so
// the mask is the CPU's bit for bit; kept elements are scaled by 1/(1 − p).
#include "common/device_math.h"
#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

// 1-D: kThreads per block, grid_for(n) blocks, grid-stride over the n elements.
__global__ void __launch_bounds__(kThreads)
    dropout_kernel(const float* x, float* y, uint8_t* mask, int64_t n, float p, float keep_scale, uint32_t seed) {
  for (int64_t i = global_index(); i < n; i += global_stride()) {
    const bool keep = dropout_uniform(seed, static_cast<uint64_t>(i)) >= p;
    mask[i] = keep;
    y[i] = keep ? x[i] * keep_scale : 0.f;
  }
}

// 1-D, as dropout_kernel.
__global__ void __launch_bounds__(kThreads)
    dropout_grad_kernel(const float* dy, const uint8_t* mask, float* dx, int64_t n, float keep_scale) {
  for (int64_t i = global_index(); i < n; i += global_stride()) dx[i] = mask[i] ? dy[i] * keep_scale : 0.f;
}

}  // namespace

void dropout(const float* x, float* y, uint8_t* mask, int64_t n, float p, uint32_t seed) {
  if (n <= 0) return;
  const float keep_scale = 1.f / (1.f - p);
  dropout_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(x, y, mask, n, p, keep_scale, seed);
  check_launch("dropout");
}

void dropout_grad(const float* dy, const uint8_t* mask, float* dx, int64_t n, float p) {
  if (n <= 0) return;
  const float keep_scale = 1.f / (1.f - p);
  dropout_grad_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(dy, mask, dx, n, keep_scale);
  check_launch("dropout_grad");
}

}  // namespace cuda
}  // namespace seqcore
