#include <cmath>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/portable.h"
#include "cpu/threadpool.h"

namespace seqcore {
namespace {
constexpr int64_t kGrain = 1 << 15;  // elements per thread before splitting pays off
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;
}  // namespace

void binary(BinaryOp op, const float* a, const float* b, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t s, int64_t e) {
    switch (op) {
      case BinaryOp::Add:
        for (int64_t i = s; i < e; ++i) out[i] = a[i] + b[i];
        break;
      case BinaryOp::Sub:
        for (int64_t i = s; i < e; ++i) out[i] = a[i] - b[i];
        break;
      case BinaryOp::Mul:
        for (int64_t i = s; i < e; ++i) out[i] = a[i] * b[i];
        break;
    }
  });
}

void scale(const float* x, float s, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = s * x[i];
  });
}

void axpy(float alpha, const float* x, float* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] += alpha * x[i];
  });
}

void fill(float* out, float value, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = value;
  });
}

void broadcast_scalar(const float* g, float s, float* out, int64_t n) { fill(out, s * *g, n); }

void add_bias(const float* x, const float* bias, float* out, int64_t rows, int64_t D) {
  parallel_for(rows, kGrain / (D + 1) + 1, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r)
      for (int64_t j = 0; j < D; ++j) out[r * D + j] = x[r * D + j] + bias[j];
  });
}

namespace {
// acc[j] += Σ_rows x[r·D + j] for j < n; the hot loop of sum_rows, compiled per ISA.
SEQCORE_TARGET_CLONES
void accumulate_rows(const float* x, int64_t rows, int64_t D, int64_t n, double* acc) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) acc[j] += x[r * D + j];
}
}  // namespace

void sum_rows(const float* x, float* out, int64_t rows, int64_t D) {
  // Threads split the columns; each accumulates its columns over all rows in float64.
  parallel_for(D, rows * D >= kGrain ? 16 : D, [&](int64_t b, int64_t e) {
    std::vector<double> acc(e - b, 0.0);
    accumulate_rows(x + b, rows, D, e - b, acc.data());
    for (int64_t j = b; j < e; ++j) out[j] = static_cast<float>(acc[j - b]);
  });
}

namespace {
// GELU's loops, compiled per ISA (8 or 16 lanes): fast_erf and fast_exp have no libm call.
SEQCORE_TARGET_CLONES
void gelu(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.f + fast_erf(x[i] * kInvSqrt2));
}

SEQCORE_TARGET_CLONES
void gelu_grad(const float* x, const float* dy, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float cdf = 0.5f * (1.f + fast_erf(x[i] * kInvSqrt2));
    const float pdf = kInvSqrt2Pi * fast_exp(-0.5f * x[i] * x[i]);
    dx[i] = dy[i] * (cdf + x[i] * pdf);
  }
}
}  // namespace

void unary(UnaryOp op, const float* x, float* y, int64_t n) {
  parallel_for(n, kGrain / 8, [&](int64_t b, int64_t e) {
    switch (op) {
      case UnaryOp::Sigmoid:
        for (int64_t i = b; i < e; ++i) y[i] = 1.f / (1.f + std::exp(-x[i]));
        break;
      case UnaryOp::Tanh:
        for (int64_t i = b; i < e; ++i) y[i] = std::tanh(x[i]);
        break;
      case UnaryOp::Relu:
        for (int64_t i = b; i < e; ++i) y[i] = x[i] > 0.f ? x[i] : 0.f;
        break;
      case UnaryOp::Gelu:  // the erf form, as torch.nn.GELU() (fast_erf: within 1.5e-7 of erf)
        gelu(x + b, y + b, e - b);
        break;
    }
  });
}

void unary_grad(UnaryOp op, const float* x, const float* y, const float* dy, float* dx, int64_t n) {
  parallel_for(n, kGrain / 8, [&](int64_t b, int64_t e) {
    switch (op) {
      case UnaryOp::Sigmoid:
        for (int64_t i = b; i < e; ++i) dx[i] = dy[i] * y[i] * (1.f - y[i]);
        break;
      case UnaryOp::Tanh:
        for (int64_t i = b; i < e; ++i) dx[i] = dy[i] * (1.f - y[i] * y[i]);
        break;
      case UnaryOp::Relu:
        for (int64_t i = b; i < e; ++i) dx[i] = x[i] > 0.f ? dy[i] : 0.f;
        break;
      case UnaryOp::Gelu:
        gelu_grad(x + b, dy + b, dx + b, e - b);
        break;
    }
  });
}

}  // namespace seqcore
