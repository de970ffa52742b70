// Whole-tensor reductions, the CUDA side of native/cpu/reduce.cc: float64 sums by a fixed
// two-pass tree (reduce.cuh's reduce_sum: the same bits on every run and every GPU), the
// result written to a device float; first_non_finite reads its answer back to the host.
#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

struct ValueTerm {
  const float* x;
  __device__ double operator()(int64_t i) const { return x[i]; }
};

struct SquareTerm {
  const float* x;
  __device__ double operator()(int64_t i) const { return static_cast<double>(x[i]) * x[i]; }
};

// 1-D: kThreads per block, grid_for(n) blocks, grid-stride; each thread stops at its first
// NaN/±Inf (its least), then the block's least index goes to *slot by an integer atomicMin.
__global__ void __launch_bounds__(kThreads)
    first_non_finite_kernel(const float* x, int64_t n, unsigned long long* slot) {
  unsigned long long first = kNoBad;
  for (int64_t i = global_index(); i < n; i += global_stride())
    if ((__float_as_uint(x[i]) & 0x7F800000u) == 0x7F800000u) {
      first = static_cast<unsigned long long>(i);
      break;
    }
  note_first_bad(slot, first);
}

}  // namespace

void sum(const float* x, int64_t n, float* out) { reduce_sum(ValueTerm{x}, n, StoreSum{out}, "sum"); }

void sum_squares(const float* x, int64_t n, float* out) { reduce_sum(SquareTerm{x}, n, StoreSum{out}, "sum_squares"); }

int64_t first_non_finite(const float* x, int64_t n) {
  if (n <= 0) return -1;
  FirstBad first;
  first_non_finite_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(x, n, first.slot());
  check_launch("first_non_finite");
  synchronize();
  unsigned long long i = kNoBad;
  check(cudaMemcpy(&i, first.slot(), sizeof(i), cudaMemcpyDeviceToHost), "first_non_finite: cudaMemcpy");
  return i == kNoBad ? -1 : static_cast<int64_t>(i);
}

}  // namespace cuda
}  // namespace seqcore
