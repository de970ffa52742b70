// Layer normalisation, the CUDA side of native/cpu/layernorm.cc: the row statistics in
// float64 as the CPU computes them (mean, then Σ(x − mean)², then rstd = 1/√(var + eps)),
// the outputs in float with each product rounded (no FMA contraction, as on the CPU), and
// dgamma/dbeta as float64 column sums (reduce.cuh), deterministic.
#include <cmath>

#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

// G threads per row (a warp for D ≤ kWarpRowMax, else the block), grid-stride over rows:
// the group sums the row (float64), then Σ(x − mean)², then writes y, mean and rstd.
template <int G>
__global__ void __launch_bounds__(kThreads)
    layernorm_kernel(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                     int64_t rows, int64_t D, float eps) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  for (int64_t r = R::first(); r < rows; r += R::stride()) {
    const float* xr = x + r * D;
    double s = 0;
    for (int64_t j = lane; j < D; j += G) s += xr[j];
    s = R::reduce(s, SumOp(), 0.0);
    const double mu = s / static_cast<double>(D);
    double ss = 0;
    for (int64_t j = lane; j < D; j += G) {
      const double d = xr[j] - mu;
      ss += __dmul_rn(d, d);
    }
    ss = R::reduce(ss, SumOp(), 0.0);
    const float rs = static_cast<float>(1.0 / sqrt(ss / static_cast<double>(D) + eps));
    const float m = static_cast<float>(mu);
    float* yr = y + r * D;
    for (int64_t j = lane; j < D; j += G) yr[j] = __fadd_rn(__fmul_rn(__fmul_rn(xr[j] - m, rs), gamma[j]), beta[j]);
    if (lane == 0) {
      mean[r] = m;
      rstd[r] = rs;
    }
  }
}

// G threads per row, as layernorm_kernel: a = Σ γ·dy and c = Σ γ·dy·x̂ (float64), then
// dx = rstd·(γ·dy − a/D − x̂·c/D).
template <int G>
__global__ void __launch_bounds__(kThreads)
    layernorm_dx_kernel(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                        float* dx, int64_t rows, int64_t D) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  for (int64_t r = R::first(); r < rows; r += R::stride()) {
    const float* xr = x + r * D;
    const float* dyr = dy + r * D;
    const float m = mean[r], rs = rstd[r];
    double a = 0, c = 0;
    for (int64_t j = lane; j < D; j += G) {
      const float xhat = (xr[j] - m) * rs, g = gamma[j] * dyr[j];
      a += g;
      c += g * xhat;
    }
    a = R::reduce(a, SumOp(), 0.0);
    c = R::reduce(c, SumOp(), 0.0);
    const float ma = static_cast<float>(a / static_cast<double>(D)),
                mc = static_cast<float>(c / static_cast<double>(D));
    float* dxr = dx + r * D;
    for (int64_t j = lane; j < D; j += G) {
      const float xhat = (xr[j] - m) * rs;
      dxr[j] = rs * __fsub_rn(__fmul_rn(gamma[j], dyr[j]) - ma, __fmul_rn(xhat, mc));
    }
  }
}

// dgamma[j] += dy·x̂ and dbeta[j] += dy over the rows (column_sums<2>).
struct LayerNormParamTerm {
  const float *dy, *x, *mean, *rstd;
  int64_t D;
  __device__ void operator()(int64_t r, int64_t j, double* v) const {
    const float g = dy[r * D + j], xhat = (x[r * D + j] - mean[r]) * rstd[r];
    v[0] = g * xhat;
    v[1] = g;
  }
};

}  // namespace

void layernorm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd, int64_t rows,
               int64_t D, float eps) {
  if (rows <= 0) return;  // D = 0 still writes mean and rstd (NaN), as the CPU
  if (D <= kWarpRowMax)
    layernorm_kernel<32><<<row_blocks(rows, 32), kThreads, 0, stream()>>>(x, gamma, beta, y, mean, rstd, rows, D, eps);
  else
    layernorm_kernel<kThreads>
        <<<row_blocks(rows, kThreads), kThreads, 0, stream()>>>(x, gamma, beta, y, mean, rstd, rows, D, eps);
  check_launch("layernorm");
}

void layernorm_grad(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                    float* dx, float* dgamma, float* dbeta, int64_t rows, int64_t D) {
  if (D <= 0) return;
  if (rows > 0) {
    if (D <= kWarpRowMax)
      layernorm_dx_kernel<32><<<row_blocks(rows, 32), kThreads, 0, stream()>>>(dy, x, gamma, mean, rstd, dx, rows, D);
    else
      layernorm_dx_kernel<kThreads>
          <<<row_blocks(rows, kThreads), kThreads, 0, stream()>>>(dy, x, gamma, mean, rstd, dx, rows, D);
    check_launch("layernorm_grad");
  }
  // rows = 0 writes zeros, as the CPU.
  column_sums<2>(LayerNormParamTerm{dy, x, mean, rstd, D}, rows, D, ColumnOuts<2>{{dgamma, dbeta}}, "layernorm_grad");
}

}  // namespace cuda
}  // namespace seqcore
