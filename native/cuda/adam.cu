// Adam / AdamW and the global-norm clip, the CUDA side of native/cpu/adam.cc. grad_clip runs
// common/adam_math.h's global_norm_clip on one device thread: the CPU's code, so the same bits.
// adam_steps updates every parameter tensor in one launch: a table of the tensors (pointers,
// size, first chunk) is uploaded, and each block takes chunks of kChunk elements, finding a
// chunk's tensor by a binary search of the first chunks. The step's scalars are the CPU's
// (adam_scalars, on the host); the clip factor is read on the device, so the host waits for
// nothing. Each element's update is the CPU's float formula with every operation rounded on
// its own (__fmul_rn & co.: no FMA contraction, as the CPU build, baseline x86-64, never
// fuses), so p, m and v come out bit for bit the CPU's.
#include <vector>

#include "common/adam_math.h"
#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

// Elements a block updates at a time: 4 per thread, consecutive threads on consecutive elements.
constexpr int64_t kChunk = 4 * kThreads;

// A parameter tensor of adam_steps: p, g, m, v of n floats (n ≥ 1), the launch's chunks
// first … first + ⌈n/kChunk⌉ − 1.
struct AdamTensor {
  float* p;
  const float* g;
  float* m;
  float* v;
  int64_t n, first;
};

// One thread: index order, as the CPU.
__global__ void grad_clip_kernel(const float* ss, int64_t k, double max_norm, float* out) {
  global_norm_clip(ss, k, max_norm, out);
}

// kThreads per block, grid-stride over the `chunks` chunks of the `count` tensors of `table`
// (in order, so their `first` increase strictly).
__global__ void __launch_bounds__(kThreads)
    adam_steps_kernel(const AdamTensor* table, int64_t count, int64_t chunks, AdamScalars s, const float* clip) {
  const float scale = clip[1];
  if (!finite_float(scale)) return;  // a NaN/Inf gradient: leave everything as it was
  for (int64_t c = blockIdx.x; c < chunks; c += gridDim.x) {
    // The tensor of chunk c: the last one whose first chunk is ≤ c (table[0].first = 0).
    int64_t lo = 0, hi = count - 1;
    while (lo < hi) {
      const int64_t mid = (lo + hi + 1) / 2;
      if (table[mid].first <= c)
        lo = mid;
      else
        hi = mid - 1;
    }
    const AdamTensor t = table[lo];
    const int64_t begin = (c - t.first) * kChunk, end = begin + kChunk < t.n ? begin + kChunk : t.n;
    for (int64_t i = begin + threadIdx.x; i < end; i += kThreads) {
      const float pi = t.p[i];
      const float gi = __fadd_rn(__fmul_rn(t.g[i], scale), __fmul_rn(s.l2, pi));
      const float mi = __fadd_rn(__fmul_rn(s.beta1, t.m[i]), __fmul_rn(s.one_minus_beta1, gi));
      const float vi = __fadd_rn(__fmul_rn(s.beta2, t.v[i]), __fmul_rn(__fmul_rn(s.one_minus_beta2, gi), gi));
      t.m[i] = mi;
      t.v[i] = vi;
      const float denom = __fadd_rn(__fmul_rn(__fsqrt_rn(vi), s.inv_sqrt_bc2), s.eps);
      t.p[i] = __fsub_rn(__fmul_rn(pi, s.decay), __fdiv_rn(__fmul_rn(s.step_size, mi), denom));
    }
  }
}

}  // namespace

void grad_clip(const float* ss, int64_t k, double max_norm, float* out) {
  grad_clip_kernel<<<1, 1, 0, stream()>>>(ss, k, max_norm, out);
  check_launch("grad_clip");
}

void adam_steps(float* const* p, const float* const* g, float* const* m, float* const* v, const int64_t* n,
                int64_t count, const AdamParams& a, const float* clip) {
  std::vector<AdamTensor> table;
  int64_t chunks = 0;
  for (int64_t t = 0; t < count; ++t) {
    if (n[t] <= 0) continue;  // no chunks: the binary search needs `first` strictly increasing
    table.push_back(AdamTensor{p[t], g[t], m[t], v[t], n[t], chunks});
    chunks += (n[t] + kChunk - 1) / kChunk;
  }
  if (table.empty()) return;
  Scratch on_device(table.size() * sizeof(AdamTensor));
  const AdamTensor* t = upload(on_device, table.data(), table.size());
  adam_steps_kernel<<<grid_for(chunks * kThreads, kThreads), kThreads, 0, stream()>>>(
      t, static_cast<int64_t>(table.size()), chunks, adam_scalars(a), clip);
  check_launch("adam_steps");
}

}  // namespace cuda
}  // namespace seqcore
