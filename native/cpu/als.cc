#include "cpu/als.h"

#include <vector>

#include "cpu/gemm.h"
#include "cpu/threadpool.h"

namespace seqcore {

void als_half_step(const int64_t* indptr, const int32_t* indices, const float* values, int64_t rows, const float* Y,
                   int64_t cols, float* X, int64_t K, float lambda, int cg_steps) {
  // YᵀY + λI, shared by every row; the per-row terms add Σ_j (c_ij − 1) y_j y_jᵀ.
  std::vector<float> G(K * K);
  sgemm(true, false, K, K, cols, 1.f, Y, K, Y, K, 0.f, G.data(), K);
  for (int64_t k = 0; k < K; ++k) G[k * K + k] += lambda;
  parallel_for(rows, 64, [&](int64_t b, int64_t e) {
    std::vector<double> x(K), r(K), p(K), Ap(K);
    // A·v = G v + Σ_j (c_ij − 1)(y_j·v) y_j, for row i
    auto apply = [&](int64_t i, const std::vector<double>& v, std::vector<double>& out) {
      for (int64_t a = 0; a < K; ++a) {
        double s = 0;
        for (int64_t c = 0; c < K; ++c) s += G[a * K + c] * v[c];
        out[a] = s;
      }
      for (int64_t n = indptr[i]; n < indptr[i + 1]; ++n) {
        const float* y = Y + static_cast<int64_t>(indices[n]) * K;
        double d = 0;
        for (int64_t c = 0; c < K; ++c) d += y[c] * v[c];
        d *= values[n];
        for (int64_t c = 0; c < K; ++c) out[c] += d * y[c];
      }
    };
    for (int64_t i = b; i < e; ++i) {
      float* xi = X + i * K;
      for (int64_t c = 0; c < K; ++c) x[c] = xi[c];
      // r = b − A x, with b = Σ_j c_ij y_j (preference 1 on the observed entries)
      apply(i, x, Ap);
      for (int64_t c = 0; c < K; ++c) r[c] = -Ap[c];
      for (int64_t n = indptr[i]; n < indptr[i + 1]; ++n) {
        const float* y = Y + static_cast<int64_t>(indices[n]) * K;
        const double conf = 1.0 + values[n];
        for (int64_t c = 0; c < K; ++c) r[c] += conf * y[c];
      }
      p = r;
      double rs = 0;
      for (int64_t c = 0; c < K; ++c) rs += r[c] * r[c];
      for (int step = 0; step < cg_steps && rs > 1e-20; ++step) {
        apply(i, p, Ap);
        double pAp = 0;
        for (int64_t c = 0; c < K; ++c) pAp += p[c] * Ap[c];
        if (pAp <= 0) break;
        const double alpha = rs / pAp;
        double rs_new = 0;
        for (int64_t c = 0; c < K; ++c) {
          x[c] += alpha * p[c];
          r[c] -= alpha * Ap[c];
          rs_new += r[c] * r[c];
        }
        for (int64_t c = 0; c < K; ++c) p[c] = r[c] + (rs_new / rs) * p[c];
        rs = rs_new;
      }
      for (int64_t c = 0; c < K; ++c) xi[c] = static_cast<float>(x[c]);
    }
  });
}

}  // namespace seqcore
