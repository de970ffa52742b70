// Device helpers shared by the CUDA kernel files: grid-stride indexing, deterministic
// warp/block reductions, row groups (a warp or a block per row), two-pass sums in float64,
// column sums, and the "first bad index" record behind deterministic device faults.
//
// Determinism: every reduction here is a fixed tree (shuffle-down within a warp, then the
// warps in order) over a fixed assignment of items to threads, and the grids of the
// reductions depend only on the sizes, never on the GPU, so a sum is the same bits on every
// run and every device. No float atomics anywhere; the only atomic is an integer atomicMin.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "cuda/runtime.h"

namespace seqcore {
namespace cuda {

constexpr int kThreads = 256;          // threads per block of every 1-D kernel
constexpr int kMaxPartials = 1024;     // blocks of a two-pass sum (its first pass's partials)
constexpr int64_t kWarpRowMax = 1024;  // rows at most this wide get a warp, wider a block
constexpr unsigned long long kNoBad = ~0ull;

__device__ __forceinline__ int64_t global_index() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ int64_t global_stride() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

struct SumOp {
  template <class T>
  __device__ __forceinline__ T operator()(T a, T b) const {
    return a + b;
  }
};
// As the CPU's `x > m ? x : m`: NaNs are never selected.
struct MaxOp {
  __device__ __forceinline__ float operator()(float a, float b) const { return b > a ? b : a; }
};
struct MinOp {
  __device__ __forceinline__ unsigned long long operator()(unsigned long long a, unsigned long long b) const {
    return b < a ? b : a;
  }
};

// Lane 0 gets op over the warp's 32 values (a fixed tree); the whole warp must call it.
template <class T, class Op>
__device__ __forceinline__ T warp_reduce(T v, Op op) {
  for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_down_sync(0xFFFFFFFFu, v, o));
  return v;
}

// Every thread gets op over the block's values: warps reduce, then warp 0 reduces the warp
// results in warp order. blockDim.x must be a multiple of 32 (≤ 1024); every thread of the
// block must call it. Consecutive calls may share the shared buffer: each starts with a
// barrier.
template <class T, class Op>
__device__ T block_reduce(T v, Op op, T identity) {
  __shared__ T part[33];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_reduce(v, op);
  __syncthreads();
  if (lane == 0) part[warp] = v;
  __syncthreads();
  if (warp == 0) {
    T w = lane < static_cast<int>(blockDim.x >> 5) ? part[lane] : identity;
    w = warp_reduce(w, op);
    if (lane == 0) part[32] = w;
  }
  __syncthreads();
  return part[32];
}

// G threads per row: G = 32 (a warp; kThreads / 32 rows per block at a time) or G = kThreads
// (the block). Row loops are grid-stride and uniform across the group, so reduce() may be
// called inside them; every thread of the group gets the same result bits.
template <int G>
struct RowGroup {
  static_assert(G == 32 || G == kThreads, "a warp or the block");
  static constexpr int kPerBlock = kThreads / G;
  __device__ static int lane() { return G == 32 ? static_cast<int>(threadIdx.x & 31) : static_cast<int>(threadIdx.x); }
  __device__ static int64_t first() {
    return static_cast<int64_t>(blockIdx.x) * kPerBlock + (G == 32 ? static_cast<int64_t>(threadIdx.x >> 5) : 0);
  }
  __device__ static int64_t stride() { return static_cast<int64_t>(gridDim.x) * kPerBlock; }
  template <class T, class Op>
  __device__ static T reduce(T v, Op op, T identity) {
    if constexpr (G == 32)
      return __shfl_sync(0xFFFFFFFFu, warp_reduce(v, op), 0);
    else
      return block_reduce(v, op, identity);
  }
};

// Blocks for `rows` rows at G threads each (grid-stride, capped by grid_for).
inline unsigned row_blocks(int64_t rows, int G) { return grid_for(rows * G, kThreads); }
// A fixed grid (not the device's): rows·G threads' worth of blocks, at most kMaxPartials.
inline unsigned fixed_blocks(int64_t items) {
  const int64_t b = (items + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > kMaxPartials ? kMaxPartials : b));
}

// ---- two-pass float64 sums ----

// Σ p[0..count) by the whole block in a fixed order; every thread gets it.
__device__ inline double block_sum_of(const double* p, int count) {
  double s = 0;
  for (int i = threadIdx.x; i < count; i += blockDim.x) s += p[i];
  return block_reduce(s, SumOp(), 0.0);
}

// First pass: kThreads per block, fixed_blocks(n) blocks (a function of n only); each thread
// sums term(i) over its grid-stride items in float64, the block reduces, partial[block].
template <class Term>
__global__ void __launch_bounds__(kThreads) sum_partials_kernel(Term term, int64_t n, double* partial) {
  double s = 0;
  for (int64_t i = global_index(); i < n; i += global_stride()) s += term(i);
  s = block_reduce(s, SumOp(), 0.0);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// Second pass: one block of kThreads sums the partials; thread 0 calls finish(total).
template <class Finish>
__global__ void __launch_bounds__(kThreads) sum_finish_kernel(const double* partial, int count, Finish finish) {
  const double t = block_sum_of(partial, count);
  if (threadIdx.x == 0) finish(t);
}

// finish(Σ_{i<n} term(i)) on the device, deterministic; n = 0 gives finish(0).
template <class Term, class Finish>
void reduce_sum(Term term, int64_t n, Finish finish, const char* kernel) {
  const unsigned blocks = fixed_blocks(n);
  Scratch partial(blocks * sizeof(double));
  sum_partials_kernel<<<blocks, kThreads, 0, stream()>>>(term, n, partial.as<double>());
  check_launch(kernel);
  sum_finish_kernel<<<1, kThreads, 0, stream()>>>(partial.as<const double>(), static_cast<int>(blocks), finish);
  check_launch(kernel);
}

// out[0] = (float)total
struct StoreSum {
  float* out;
  __device__ void operator()(double t) const { *out = static_cast<float>(t); }
};
// out[0] = (float)(total / n), 0 if n = 0
struct StoreMean {
  float* out;
  int64_t n;
  __device__ void operator()(double t) const { *out = n > 0 ? static_cast<float>(t / static_cast<double>(n)) : 0.f; }
};

// ---- column sums: out_k[j] = (float)Σ_r term_k(r, j) in float64, K outputs at once ----
// term(r, j, v) sets v[0..K). The rows are cut into `chunks` chunks (a function of rows and D
// only); a block takes (32-column tile, chunk) work items: 32 columns × 8 row lanes, each row
// lane summing every 8th row of the chunk, then the 8 lane sums added in lane order. With one
// chunk it writes out directly; otherwise partials (K × chunks × D) and a second kernel, a warp
// per (k, column), sums the chunks.

template <int K>
struct ColumnOuts {
  float* p[K];
};

static_assert(kThreads == 8 * 32, "column_partials_kernel: 8 row lanes of 32 columns");

template <int K, class Term>
__global__ void __launch_bounds__(kThreads)
    column_partials_kernel(Term term, int64_t rows, int64_t D, int64_t tiles, int64_t chunks, int64_t chunk_rows,
                           double* partial, ColumnOuts<K> outs) {
  __shared__ double sh[K][8][32];
  const int cl = threadIdx.x & 31, rl = threadIdx.x >> 5;
  for (int64_t w = blockIdx.x; w < tiles * chunks; w += gridDim.x) {
    const int64_t tile = w % tiles, chunk = w / tiles, j = tile * 32 + cl;
    const int64_t r0 = chunk * chunk_rows, r1 = r0 + chunk_rows < rows ? r0 + chunk_rows : rows;
    double acc[K], v[K];
    for (int k = 0; k < K; ++k) acc[k] = 0;
    if (j < D)
      for (int64_t r = r0 + rl; r < r1; r += 8) {
        term(r, j, v);
        for (int k = 0; k < K; ++k) acc[k] += v[k];
      }
    for (int k = 0; k < K; ++k) sh[k][rl][cl] = acc[k];
    __syncthreads();
    if (rl == 0 && j < D)
      for (int k = 0; k < K; ++k) {
        double s = sh[k][0][cl];
        for (int q = 1; q < 8; ++q) s += sh[k][q][cl];
        if (chunks == 1)
          outs.p[k][j] = static_cast<float>(s);
        else
          partial[(k * chunks + chunk) * D + j] = s;
      }
    __syncthreads();
  }
}

// A warp per (k, column j): lanes sum chunks lane, lane + 32, …; the warp reduces.
template <int K>
__global__ void __launch_bounds__(kThreads)
    column_finish_kernel(const double* partial, int64_t chunks, int64_t D, ColumnOuts<K> outs) {
  const int lane = threadIdx.x & 31;
  const int64_t first = static_cast<int64_t>(blockIdx.x) * (kThreads / 32) + (threadIdx.x >> 5);
  for (int64_t w = first; w < K * D; w += static_cast<int64_t>(gridDim.x) * (kThreads / 32)) {
    const int64_t k = w / D, j = w % D;
    double s = 0;
    for (int64_t c = lane; c < chunks; c += 32) s += partial[(k * chunks + c) * D + j];
    s = warp_reduce(s, SumOp());
    if (lane == 0) outs.p[k][j] = static_cast<float>(s);
  }
}

template <int K, class Term>
void column_sums(Term term, int64_t rows, int64_t D, ColumnOuts<K> outs, const char* kernel) {
  if (D <= 0) return;
  const int64_t tiles = (D + 31) / 32;
  const int64_t max_chunks = rows / 64 > 1 ? rows / 64 : 1;  // ≥ 64 rows a chunk
  const int64_t want = (2048 + tiles - 1) / tiles;           // ~2048 work items
  const int64_t chunks = want < max_chunks ? want : max_chunks;
  const int64_t chunk_rows = (rows + chunks - 1) / chunks;
  Scratch partial(chunks > 1 ? static_cast<size_t>(K * chunks * D) * sizeof(double) : 0);
  column_partials_kernel<K><<<grid_for(tiles * chunks * kThreads, kThreads), kThreads, 0, stream()>>>(
      term, rows, D, tiles, chunks, chunk_rows, partial.as<double>(), outs);
  check_launch(kernel);
  if (chunks > 1) {
    column_finish_kernel<K>
        <<<grid_for(K * D * 32, kThreads), kThreads, 0, stream()>>>(partial.as<const double>(), chunks, D, outs);
    check_launch(kernel);
  }
}

// ---- the first bad index, for deterministic device faults ----
// Kernels that meet bad input note the lowest index (a per-thread minimum, then one
// block_reduce and one integer atomicMin per block, so any thread order gives the same
// slot); raise() then queues a one-thread kernel that raises the fault for that index, so
// the error names the first bad element, as the CPU's checks do.

// All threads of the block call it, with kNoBad when they met nothing.
__device__ inline void note_first_bad(unsigned long long* slot, unsigned long long local) {
  if (!__syncthreads_or(local != kNoBad)) return;  // uniform across the block
  local = block_reduce(local, MinOp(), kNoBad);
  if (threadIdx.x == 0) atomicMin(slot, local);
}

// One thread: raises site's fault with (index, values[index]) if an index was noted.
template <class T>
__global__ void raise_first_bad_kernel(FaultSite site, const unsigned long long* slot, const T* values) {
  const unsigned long long i = *slot;
  if (i != kNoBad) raise_fault(site, static_cast<long long>(i), static_cast<long long>(values[i]));
}

class FirstBad {
 public:
  FirstBad() : slot_(sizeof(unsigned long long)) {
    check(cudaMemsetAsync(slot_.as<void>(), 0xFF, sizeof(unsigned long long), stream()), "cudaMemsetAsync");
  }
  unsigned long long* slot() const { return slot_.as<unsigned long long>(); }
  template <class T>
  void raise(FaultSite site, const T* values) const {
    raise_first_bad_kernel<T><<<1, 1, 0, stream()>>>(site, slot(), values);
    check_launch("raise_first_bad");
  }

 private:
  Scratch slot_;
};

}  // namespace cuda
}  // namespace seqcore
