#include <cmath>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

void layernorm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd, int64_t rows,
               int64_t D, float eps) {
  parallel_for(rows, 4096 / (D + 1) + 1, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * D;
      double s = 0, ss = 0;
      for (int64_t j = 0; j < D; ++j) s += xr[j];
      const double mu = s / D;
      for (int64_t j = 0; j < D; ++j) ss += (xr[j] - mu) * (xr[j] - mu);
      const float rs = static_cast<float>(1.0 / std::sqrt(ss / D + eps));
      const float m = static_cast<float>(mu);
      for (int64_t j = 0; j < D; ++j) y[r * D + j] = (xr[j] - m) * rs * gamma[j] + beta[j];
      mean[r] = m;
      rstd[r] = rs;
    }
  });
}

void layernorm_grad(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                    float* dx, float* dgamma, float* dbeta, int64_t rows, int64_t D) {
  // dx = rstd·(g·dy - mean(g·dy) - xhat·mean(g·dy·xhat)); dgamma, dbeta summed over rows
  // from per-thread partials.
  const int nt = num_threads();
  std::vector<double> part(static_cast<size_t>(nt) * 2 * D, 0.0);
  parallel_run(
      [&](int tid, int nthreads) {
        int64_t b = rows * tid / nthreads, e = rows * (tid + 1) / nthreads;
        double* pg = part.data() + static_cast<size_t>(tid) * 2 * D;
        double* pb = pg + D;
        for (int64_t r = b; r < e; ++r) {
          const float* xr = x + r * D;
          const float* dyr = dy + r * D;
          const float m = mean[r], rs = rstd[r];
          double a = 0, c = 0;
          for (int64_t j = 0; j < D; ++j) {
            const float xhat = (xr[j] - m) * rs, g = gamma[j] * dyr[j];
            a += g;
            c += g * xhat;
            pg[j] += dyr[j] * xhat;
            pb[j] += dyr[j];
          }
          const float ma = static_cast<float>(a / D), mc = static_cast<float>(c / D);
          for (int64_t j = 0; j < D; ++j) {
            const float xhat = (xr[j] - m) * rs;
            dx[r * D + j] = rs * (gamma[j] * dyr[j] - ma - xhat * mc);
          }
        }
      },
      static_cast<int>(std::min<int64_t>(nt, std::max<int64_t>(1, rows * D / 4096))));
  for (int64_t j = 0; j < D; ++j) {
    double g = 0, bb = 0;
    for (int t = 0; t < nt; ++t) {
      g += part[static_cast<size_t>(t) * 2 * D + j];
      bb += part[static_cast<size_t>(t) * 2 * D + D + j];
    }
    dgamma[j] = static_cast<float>(g);
    dbeta[j] = static_cast<float>(bb);
  }
}

}  // namespace seqcore
