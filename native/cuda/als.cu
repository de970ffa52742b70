// One implicit-feedback ALS half-step with conjugate-gradient solves: the algorithm of
// native/cpu/als.cc (the reference), step for step. G = YᵀY + λI once (sgemm, then the
// diagonal), then per row of the CSR matrix, from the warm start x = X_i, cg_steps CG
// iterations on A = G + Σ_j v_ij·y_j·y_jᵀ, b = Σ_j (1 + v_ij)·y_j, in float64 like the CPU.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "cuda/kernels.h"
#include "cuda/runtime.h"

namespace seqcore {
namespace cuda {
namespace {

constexpr int kThreads = 256;  // per block, a multiple of 32
constexpr int kWarps = kThreads / 32;
constexpr int kChunk = 256;  // nonzeros whose y·v dots are staged at once

__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Block-wide sum; every thread gets the same result (warp partials added in warp order).
__device__ double block_sum(double v, double* red) {
  v = warp_sum(v);
  __syncthreads();  // red may still be read by the previous reduction
  if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
  __syncthreads();
  double r = red[0];
  for (int w = 1; w < kWarps; ++w) r += red[w];
  return r;
}

// out = A·v for row i: out[a] = Σ_c G[a·K + c]·v[c] (a warp per a), then, in chunks of the
// row's nonzeros, d_n = (y_n·v)·v_in (a warp per n) and out[c] += d_n·y_n[c] in nonzero order
// (a thread per c), as the CPU. v and out are shared; starts and ends synchronised.
__device__ void apply(const float* G, const float* Y, const int32_t* indices, const float* values, int64_t n0,
                      int64_t n1, int64_t K, const double* v, double* out, double* dch) {
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  __syncthreads();
  for (int64_t a = warp; a < K; a += kWarps) {
    double s = 0;
    for (int64_t c = lane; c < K; c += 32) s += static_cast<double>(G[a * K + c]) * v[c];
    s = warp_sum(s);
    if (lane == 0) out[a] = s;
  }
  __syncthreads();
  for (int64_t c0 = n0; c0 < n1; c0 += kChunk) {
    const int64_t c1 = c0 + kChunk < n1 ? c0 + kChunk : n1;
    for (int64_t n = c0 + warp; n < c1; n += kWarps) {
      const float* y = Y + static_cast<int64_t>(indices[n]) * K;
      double d = 0;
      for (int64_t c = lane; c < K; c += 32) d += static_cast<double>(y[c]) * v[c];
      d = warp_sum(d);
      if (lane == 0) dch[n - c0] = d * static_cast<double>(values[n]);
    }
    __syncthreads();
    for (int64_t c = threadIdx.x; c < K; c += kThreads) {
      double o = out[c];
      for (int64_t n = c0; n < c1; ++n)
        o += dch[n - c0] * static_cast<double>(Y[static_cast<int64_t>(indices[n]) * K + c]);
      out[c] = o;
    }
    __syncthreads();
  }
}

// The CG solves. Launch: min(rows, 2^20) blocks of kThreads threads, a block per row (block-
// stride over rows). Dynamic shared memory: 4·K + kChunk doubles (x, r, p, Ap, the chunk's dots).
__global__ void als_cg(const int64_t* indptr, const int32_t* indices, const float* values, int64_t rows, const float* Y,
                       const float* G, float* X, int64_t K, int cg_steps) {
  extern __shared__ double shd[];
  __shared__ double red[kWarps];
  double* x = shd;
  double* r = x + K;
  double* p = r + K;
  double* Ap = p + K;
  double* dch = Ap + K;
  for (int64_t i = blockIdx.x; i < rows; i += gridDim.x) {
    const int64_t n0 = indptr[i], n1 = indptr[i + 1];
    float* xi = X + i * K;
    for (int64_t c = threadIdx.x; c < K; c += kThreads) x[c] = xi[c];
    // r = b − A·x with b = Σ_j (1 + v_ij)·y_j
    apply(G, Y, indices, values, n0, n1, K, x, Ap, dch);
    double part = 0;
    for (int64_t c = threadIdx.x; c < K; c += kThreads) {
      double rc = -Ap[c];
      for (int64_t n = n0; n < n1; ++n)
        rc += (1.0 + static_cast<double>(values[n])) * static_cast<double>(Y[static_cast<int64_t>(indices[n]) * K + c]);
      r[c] = rc;
      p[c] = rc;
      part += rc * rc;
    }
    double rs = block_sum(part, red);
    for (int step = 0; step < cg_steps && rs > 1e-20; ++step) {
      apply(G, Y, indices, values, n0, n1, K, p, Ap, dch);
      part = 0;
      for (int64_t c = threadIdx.x; c < K; c += kThreads) part += p[c] * Ap[c];
      const double pAp = block_sum(part, red);
      if (pAp <= 0) break;
      const double alpha = rs / pAp;
      part = 0;
      for (int64_t c = threadIdx.x; c < K; c += kThreads) {
        x[c] += alpha * p[c];
        r[c] -= alpha * Ap[c];
        part += r[c] * r[c];
      }
      const double rs_new = block_sum(part, red);
      for (int64_t c = threadIdx.x; c < K; c += kThreads) p[c] = r[c] + (rs_new / rs) * p[c];
      rs = rs_new;
    }
    for (int64_t c = threadIdx.x; c < K; c += kThreads) xi[c] = static_cast<float>(x[c]);
    __syncthreads();  // x, r, p are reused by the next row
  }
}

// G[k·K + k] += lambda. Launch: grid_for(K, 256) blocks of 256 threads, grid-stride over k.
__global__ void als_add_diagonal(float* G, int64_t K, float lambda) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < K; k += int64_t(gridDim.x) * blockDim.x)
    G[k * K + k] += lambda;
}

}  // namespace

void als_half_step(const int64_t* indptr, const int32_t* indices, const float* values, int64_t rows, const float* Y,
                   int64_t cols, float* X, int64_t K, float lambda, int cg_steps) {
  if (rows <= 0 || K <= 0) return;
  // The CSR arrays are host memory: checked here (a bad index on the device would corrupt
  // memory rather than raise), then uploaded.
  if (indptr[0] < 0) throw std::invalid_argument("cuda: alsHalfStep: indptr[0] is negative");
  for (int64_t i = 0; i < rows; ++i)
    if (indptr[i + 1] < indptr[i])
      throw std::invalid_argument("cuda: alsHalfStep: indptr decreases at row " + std::to_string(i));
  const int64_t nnz = indptr[rows];
  for (int64_t n = indptr[0]; n < nnz; ++n)
    if (indices[n] < 0 || indices[n] >= cols)
      throw std::invalid_argument("cuda: alsHalfStep: column index " + std::to_string(indices[n]) + " at " +
                                  std::to_string(n) + " is outside the " + std::to_string(cols) + " columns");
  const size_t shmem = sizeof(double) * static_cast<size_t>(4 * K + kChunk);
  if (shmem > 48 * 1024) {
    if (shmem > device_props().sharedMemPerBlockOptin)
      throw std::invalid_argument("cuda: alsHalfStep: K = " + std::to_string(K) + " needs " + std::to_string(shmem) +
                                  " bytes of shared memory per block, more than this GPU's " +
                                  std::to_string(device_props().sharedMemPerBlockOptin));
    check(cudaFuncSetAttribute(als_cg, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(shmem)),
          "alsHalfStep");
  }

  // YᵀY + λI, shared by every row (precision as set_gemm_precision, like every sgemm).
  Scratch g_buf(static_cast<size_t>(K * K) * sizeof(float));
  float* G = g_buf.as<float>();
  sgemm(true, false, K, K, cols, 1.f, Y, K, Y, K, 0.f, G, K);
  als_add_diagonal<<<grid_for(K, 256), 256, 0, stream()>>>(G, K, lambda);
  check_launch("als_add_diagonal");

  Scratch indptr_buf(static_cast<size_t>(rows + 1) * sizeof(int64_t));
  Scratch indices_buf(static_cast<size_t>(nnz) * sizeof(int32_t));
  Scratch values_buf(static_cast<size_t>(nnz) * sizeof(float));
  const int64_t* d_indptr = upload(indptr_buf, indptr, static_cast<size_t>(rows + 1));
  const int32_t* d_indices = nnz ? upload(indices_buf, indices, static_cast<size_t>(nnz)) : nullptr;
  const float* d_values = nnz ? upload(values_buf, values, static_cast<size_t>(nnz)) : nullptr;

  const unsigned blocks = static_cast<unsigned>(rows < (int64_t(1) << 20) ? rows : (int64_t(1) << 20));
  als_cg<<<blocks, kThreads, shmem, stream()>>>(d_indptr, d_indices, d_values, rows, Y, G, X, K, cg_steps);
  check_launch("als_cg");
}

}  // namespace cuda
}  // namespace seqcore
