// Losses, the CUDA side of native/cpu/losses.cc and of the means the CPU backend takes on the
// host (ts/backend/cpu/losses.ts): mse and bce_logits are float64 sums (reduce.cuh's
// deterministic reduce_sum) divided by n on the device, 0 for n = 0; their gradients read
// dout from the device and scale by float(dout/n) computed in float64, as the host does.
// cosine works per row in float64 as the CPU does.
#include <cmath>

#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

// (a − b)² in float64 (the product rounded on its own, as on the CPU).
struct SquaredErrorTerm {
  const float *a, *b;
  __device__ double operator()(int64_t i) const {
    const double d = static_cast<double>(a[i]) - b[i];
    return __dmul_rn(d, d);
  }
};

// max(x, 0) − x·y + log(1 + e^−|x|) in float64.
struct BceTerm {
  const float *x, *y;
  __device__ double operator()(int64_t i) const {
    const double v = x[i];
    return (v > 0 ? v : 0.0) - v * y[i] + log1p(exp(-fabs(v)));  // v·y is exact in float64
  }
};

// float(dout/n) computed in float64, 0 for n = 0: the scale the CPU backend passes.
__device__ __forceinline__ float mean_scale(const float* dout, int64_t n) {
  return n > 0 ? static_cast<float>(static_cast<double>(*dout) / static_cast<double>(n)) : 0.f;
}

// 1-D: kThreads per block, grid_for(n) blocks, grid-stride: da = 2·scale·(a − b), db = −da.
__global__ void __launch_bounds__(kThreads)
    mse_grad_kernel(const float* a, const float* b, const float* dout, float* da, float* db, int64_t n) {
  const float scale = mean_scale(dout, n);
  for (int64_t i = global_index(); i < n; i += global_stride()) {
    const float g = 2.f * scale * (a[i] - b[i]);
    if (da) da[i] = g;
    if (db) db[i] = -g;
  }
}

// 1-D, as mse_grad_kernel: dx = scale·(σ(x) − y).
__global__ void __launch_bounds__(kThreads)
    bce_grad_kernel(const float* x, const float* y, const float* dout, float* dx, int64_t n) {
  const float scale = mean_scale(dout, n);
  for (int64_t i = global_index(); i < n; i += global_stride()) dx[i] = scale * (1.f / (1.f + expf(-x[i])) - y[i]);
}

// a·b, |a|, |b| of one row in float64 by its group (every thread gets them). The products
// of two floats are exact in float64, so fused or not they sum the same.
struct CosParts {
  double dot, na, nb;
};
template <int G>
__device__ CosParts cos_parts(const float* a, const float* b, int64_t D, int lane) {
  using R = RowGroup<G>;
  CosParts p{0, 0, 0};
  for (int64_t j = lane; j < D; j += G) {
    p.dot += static_cast<double>(a[j]) * b[j];
    p.na += static_cast<double>(a[j]) * a[j];
    p.nb += static_cast<double>(b[j]) * b[j];
  }
  p.dot = R::reduce(p.dot, SumOp(), 0.0);
  p.na = sqrt(R::reduce(p.na, SumOp(), 0.0));
  p.nb = sqrt(R::reduce(p.nb, SumOp(), 0.0));
  return p;
}

// std::max<double>(v, eps): v unless v < eps (a NaN stays NaN).
__device__ __forceinline__ double at_least(double v, float eps) { return v < eps ? static_cast<double>(eps) : v; }

// G threads per row (a warp for D ≤ kWarpRowMax, else the block), grid-stride over rows:
// out[i] = a·b / (max(|a|, eps)·max(|b|, eps)).
template <int G>
__global__ void __launch_bounds__(kThreads)
    cosine_kernel(const float* a, const float* b, float* out, int64_t N, int64_t D, float eps) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  for (int64_t i = R::first(); i < N; i += R::stride()) {
    const CosParts p = cos_parts<G>(a + i * D, b + i * D, D, lane);
    if (lane == 0) out[i] = static_cast<float>(p.dot / (at_least(p.na, eps) * at_least(p.nb, eps)));
  }
}

// G threads per row, as cosine_kernel: da = dout·(b/(A·B) − [|a| > eps]·cos·a/|a|²), db
// symmetrically (either may be null), each product rounded on its own as on the CPU.
template <int G>
__global__ void __launch_bounds__(kThreads) cosine_grad_kernel(const float* a, const float* b, const float* dout,
                                                               float* da, float* db, int64_t N, int64_t D, float eps) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  for (int64_t i = R::first(); i < N; i += R::stride()) {
    const float* ai = a + i * D;
    const float* bi = b + i * D;
    const CosParts p = cos_parts<G>(ai, bi, D, lane);
    const double A = at_least(p.na, eps), B = at_least(p.nb, eps), AB = A * B;
    const double cs = p.dot / AB, g = dout[i];
    const double ka = p.na > eps ? cs / (p.na * p.na) : 0.0;
    const double kb = p.nb > eps ? cs / (p.nb * p.nb) : 0.0;
    for (int64_t j = lane; j < D; j += G) {
      if (da) da[i * D + j] = static_cast<float>(g * (bi[j] / AB - __dmul_rn(ka, ai[j])));
      if (db) db[i * D + j] = static_cast<float>(g * (ai[j] / AB - __dmul_rn(kb, bi[j])));
    }
  }
}

}  // namespace

void mse(const float* a, const float* b, int64_t n, float* out) {
  reduce_sum(SquaredErrorTerm{a, b}, n, StoreMean{out, n}, "mse");
}

void mse_grad(const float* a, const float* b, const float* dout, float* da, float* db, int64_t n) {
  if (n <= 0 || (!da && !db)) return;
  mse_grad_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(a, b, dout, da, db, n);
  check_launch("mse_grad");
}

void cosine(const float* a, const float* b, float* out, int64_t N, int64_t D, float eps) {
  if (N <= 0) return;
  if (D <= kWarpRowMax)
    cosine_kernel<32><<<row_blocks(N, 32), kThreads, 0, stream()>>>(a, b, out, N, D, eps);
  else
    cosine_kernel<kThreads><<<row_blocks(N, kThreads), kThreads, 0, stream()>>>(a, b, out, N, D, eps);
  check_launch("cosine");
}

void cosine_grad(const float* a, const float* b, const float* dout, float* da, float* db, int64_t N, int64_t D,
                 float eps) {
  if (N <= 0 || D <= 0 || (!da && !db)) return;
  if (D <= kWarpRowMax)
    cosine_grad_kernel<32><<<row_blocks(N, 32), kThreads, 0, stream()>>>(a, b, dout, da, db, N, D, eps);
  else
    cosine_grad_kernel<kThreads><<<row_blocks(N, kThreads), kThreads, 0, stream()>>>(a, b, dout, da, db, N, D, eps);
  check_launch("cosine_grad");
}

void bce_logits(const float* x, const float* y, int64_t n, float* out) {
  reduce_sum(BceTerm{x, y}, n, StoreMean{out, n}, "bce_logits");
}

void bce_logits_grad(const float* x, const float* y, const float* dout, float* dx, int64_t n) {
  if (n <= 0) return;
  bce_grad_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(x, y, dout, dx, n);
  check_launch("bce_logits_grad");
}

}  // namespace cuda
}  // namespace seqcore
