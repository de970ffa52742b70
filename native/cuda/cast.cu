// Dtype casts, the CUDA side of native/cpu/cast.cc: float16 through common/device_math.h's
// f32_to_f16/f16_to_f32 (the CPU's rounding, bit for bit). int64 → int32 checks on the
// device: a value outside int32's range raises a device fault (kNotInt32) naming the first
// one, and then, as on the CPU, nothing is written.
#include <cstdint>

#include "common/device_math.h"
#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

// 1-D: kThreads per block, grid_for(n) blocks, grid-stride over the n elements.
__global__ void __launch_bounds__(kThreads) f32_f16_kernel(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) y[i] = f32_to_f16(x[i]);
}

// 1-D, as f32_f16_kernel.
__global__ void __launch_bounds__(kThreads) f16_f32_kernel(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) y[i] = f16_to_f32(x[i]);
}

// 1-D, as f32_f16_kernel (round to nearest, as the CPU's conversion).
__global__ void __launch_bounds__(kThreads) i32_f32_kernel(const int32_t* x, float* y, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) y[i] = static_cast<float>(x[i]);
}

// 1-D, as f32_f16_kernel.
__global__ void __launch_bounds__(kThreads) i32_i64_kernel(const int32_t* x, int64_t* y, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) y[i] = x[i];
}

__device__ __forceinline__ bool fits_int32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

// 1-D, as f32_f16_kernel: notes the first value outside int32's range.
__global__ void __launch_bounds__(kThreads)
    i64_check_kernel(const int64_t* x, int64_t n, unsigned long long* bad_slot) {
  unsigned long long bad = kNoBad;
  for (int64_t i = global_index(); i < n; i += global_stride())
    if (!fits_int32(x[i])) {
      bad = static_cast<unsigned long long>(i);  // this thread's first is its least
      break;
    }
  note_first_bad(bad_slot, bad);
}

// 1-D, as f32_f16_kernel: writes y only if the check found nothing.
__global__ void __launch_bounds__(kThreads)
    i64_i32_kernel(const int64_t* x, int32_t* y, int64_t n, const unsigned long long* bad_slot) {
  if (*bad_slot != kNoBad) return;
  for (int64_t i = global_index(); i < n; i += global_stride()) y[i] = static_cast<int32_t>(x[i]);
}

}  // namespace

void cast_f32_f16(const float* x, uint16_t* y, int64_t n) {
  if (n <= 0) return;
  f32_f16_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(x, y, n);
  check_launch("cast_f32_f16");
}

void cast_f16_f32(const uint16_t* x, float* y, int64_t n) {
  if (n <= 0) return;
  f16_f32_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(x, y, n);
  check_launch("cast_f16_f32");
}

void cast_i32_f32(const int32_t* x, float* y, int64_t n) {
  if (n <= 0) return;
  i32_f32_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(x, y, n);
  check_launch("cast_i32_f32");
}

int64_t cast_i64_i32(const int64_t* x, int32_t* y, int64_t n) {
  if (n <= 0) return -1;
  FirstBad bad;
  const unsigned blocks = grid_for(n, kThreads);
  i64_check_kernel<<<blocks, kThreads, 0, stream()>>>(x, n, bad.slot());
  check_launch("cast_i64_i32");
  bad.raise(fault_site("cast", kNotInt32, 0), x);
  i64_i32_kernel<<<blocks, kThreads, 0, stream()>>>(x, y, n, bad.slot());
  check_launch("cast_i64_i32");
  return -1;
}

void cast_i32_i64(const int32_t* x, int64_t* y, int64_t n) {
  if (n <= 0) return;
  i32_i64_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(x, y, n);
  check_launch("cast_i32_i64");
}

}  // namespace cuda
}  // namespace seqcore
