#include <cmath>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {

void mse(const float* a, const float* b, int64_t n, float* out) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    s += d * d;
  }
  *out = n > 0 ? static_cast<float>(s / static_cast<double>(n)) : 0.f;
}

void mse_grad(const float* a, const float* b, const float* dout, float* da, float* db, int64_t n) {
  const float scale = n > 0 ? static_cast<float>(static_cast<double>(*dout) / static_cast<double>(n)) : 0.f;
  parallel_for(n, 1 << 15, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      const float g = 2.f * scale * (a[i] - b[i]);
      if (da) da[i] = g;
      if (db) db[i] = -g;
    }
  });
}

namespace {
struct CosParts {
  double dot, na, nb;
};
CosParts cos_parts(const float* a, const float* b, int64_t D) {
  CosParts p{0, 0, 0};
  for (int64_t j = 0; j < D; ++j) {
    p.dot += static_cast<double>(a[j]) * b[j];
    p.na += static_cast<double>(a[j]) * a[j];
    p.nb += static_cast<double>(b[j]) * b[j];
  }
  p.na = std::sqrt(p.na);
  p.nb = std::sqrt(p.nb);
  return p;
}
}  // namespace

void cosine(const float* a, const float* b, float* out, int64_t N, int64_t D, float eps) {
  parallel_for(N, 1 + 4096 / (D + 1), [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      CosParts p = cos_parts(a + i * D, b + i * D, D);
      out[i] = static_cast<float>(p.dot / (std::max<double>(p.na, eps) * std::max<double>(p.nb, eps)));
    }
  });
}

void cosine_grad(const float* a, const float* b, const float* dout, float* da, float* db, int64_t N, int64_t D,
                 float eps) {
  // cos = a·b / (A·B) with A = max(|a|, eps), B = max(|b|, eps):
  // dcos/da = b/(A·B) - [|a| > eps]·cos·a/|a|², and symmetrically for b.
  parallel_for(N, 1 + 4096 / (D + 1), [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      const float* ai = a + i * D;
      const float* bi = b + i * D;
      CosParts p = cos_parts(ai, bi, D);
      const double A = std::max<double>(p.na, eps), B = std::max<double>(p.nb, eps);
      const double cs = p.dot / (A * B), g = dout[i];
      const double ka = p.na > eps ? cs / (p.na * p.na) : 0.0;
      const double kb = p.nb > eps ? cs / (p.nb * p.nb) : 0.0;
      for (int64_t j = 0; j < D; ++j) {
        if (da) da[i * D + j] = static_cast<float>(g * (bi[j] / (A * B) - ka * ai[j]));
        if (db) db[i * D + j] = static_cast<float>(g * (ai[j] / (A * B) - kb * bi[j]));
      }
    }
  });
}

void bce_logits(const float* x, const float* y, int64_t n, float* out) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    s += (v > 0 ? v : 0.0) - v * y[i] + std::log1p(std::exp(-std::fabs(v)));
  }
  *out = n > 0 ? static_cast<float>(s / static_cast<double>(n)) : 0.f;
}

void bce_logits_grad(const float* x, const float* y, const float* dout, float* dx, int64_t n) {
  const float scale = n > 0 ? static_cast<float>(static_cast<double>(*dout) / static_cast<double>(n)) : 0.f;
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) dx[i] = scale * (1.f / (1.f + std::exp(-x[i])) - y[i]);
  });
}

}  // namespace seqcore
