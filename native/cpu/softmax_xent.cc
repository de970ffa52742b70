// Fused softmax cross-entropy. Forward reads each row of logits twice while it is in cache
// (max, then Σexp) and keeps only the row's log-sum-exp; backward recomputes the softmax
// from logits and lse, so no N×C probability matrix is ever written.
#include <cmath>
#include <vector>

#include "common/device_math.h"
#include "cpu/kernels.h"
#include "cpu/portable.h"
#include "cpu/threadpool.h"

namespace seqcore {
namespace {

// The row loops are compiled for AVX-512, AVX2 and baseline and picked at load time. The
// max and Σexp reductions keep 16 partial results (a vector's worth), since the compiler
// may not reorder one float reduction by itself.
constexpr int kLanes = 16;

SEQCORE_TARGET_CLONES
float row_lse(const float* x, int64_t C) {
  float mv[kLanes], sv[kLanes];
  for (int k = 0; k < kLanes; ++k) {
    mv[k] = -INFINITY;
    sv[k] = 0.f;
  }
  const int64_t body = C / kLanes * kLanes;
  for (int64_t c = 0; c < body; c += kLanes)
    for (int k = 0; k < kLanes; ++k) mv[k] = x[c + k] > mv[k] ? x[c + k] : mv[k];
  float m = -INFINITY;
  for (int k = 0; k < kLanes; ++k) m = mv[k] > m ? mv[k] : m;
  for (int64_t c = body; c < C; ++c) m = x[c] > m ? x[c] : m;
  for (int64_t c = 0; c < body; c += kLanes)
    for (int k = 0; k < kLanes; ++k) sv[k] += fast_exp(x[c + k] - m);
  float s = 0.f;
  for (int k = 0; k < kLanes; ++k) s += sv[k];
  for (int64_t c = body; c < C; ++c) s += fast_exp(x[c] - m);
  return m + std::log(s);
}

SEQCORE_TARGET_CLONES
void row_softmax(const float* x, float lse, float scale, float* d, int64_t C) {
  for (int64_t c = 0; c < C; ++c) d[c] = scale * fast_exp(x[c] - lse);
}

}  // namespace

void softmax_xent(const float* logits, const int32_t* targets, float* lse, int64_t N, int64_t C, int32_t ignore,
                  float* loss_out, float* count_out) {
  std::vector<double> loss(num_threads(), 0.0);
  std::vector<int64_t> cnt(num_threads(), 0);
  parallel_run(
      [&](int tid, int nt) {
        for (int64_t r = N * tid / nt, e = N * (tid + 1) / nt; r < e; ++r) {
          const float* x = logits + r * C;
          lse[r] = row_lse(x, C);
          if (targets[r] != ignore) {
            loss[tid] += static_cast<double>(lse[r]) - x[targets[r]];
            cnt[tid] += 1;
          }
        }
      },
      N * C >= (1 << 14) ? 0 : 1);
  double total = 0;
  int64_t count = 0;
  for (size_t t = 0; t < loss.size(); ++t) {
    total += loss[t];
    count += cnt[t];
  }
  *loss_out = count > 0 ? static_cast<float>(total / static_cast<double>(count)) : 0.f;
  *count_out = static_cast<float>(count);
}

void softmax_rows(const float* x, float* y, int64_t N, int64_t C) {
  parallel_for(N, 1 + (1 << 14) / (C + 1), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) row_softmax(x + r * C, row_lse(x + r * C, C), 1.f, y + r * C, C);
  });
}

void softmax_rows_grad(const float* y, const float* dy, float* dx, int64_t N, int64_t C) {
  parallel_for(N, 1 + (1 << 14) / (C + 1), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float *yr = y + r * C, *g = dy + r * C;
      double dot = 0;
      for (int64_t c = 0; c < C; ++c) dot += static_cast<double>(yr[c]) * g[c];
      for (int64_t c = 0; c < C; ++c) dx[r * C + c] = yr[c] * (g[c] - static_cast<float>(dot));
    }
  });
}

void softmax_xent_grad(const float* logits, const int32_t* targets, const float* lse, const float* count,
                       const float* dloss, float* dlogits, int64_t N, int64_t C, int32_t ignore) {
  const float scale = *count > 0 ? static_cast<float>(static_cast<double>(*dloss) / *count) : 0.f;
  parallel_for(N, 1 + (1 << 14) / (C + 1), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* x = logits + r * C;
      float* d = dlogits + r * C;
      if (targets[r] == ignore) {
        for (int64_t c = 0; c < C; ++c) d[c] = 0.f;
        continue;
      }
      row_softmax(x, lse[r], scale, d, C);
      d[targets[r]] -= scale;
    }
  });
}

}  // namespace seqcore
