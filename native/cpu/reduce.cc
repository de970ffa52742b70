#include <cmath>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {
namespace {
template <class F>
double reduce_sum(int64_t n, F term) {
  std::vector<double> part(num_threads(), 0.0);
  parallel_run(
      [&](int tid, int nt) {
        double s = 0;
        for (int64_t i = n * tid / nt, e = n * (tid + 1) / nt; i < e; ++i) s += term(i);
        part[tid] = s;
      },
      n >= (1 << 16) ? 0 : 1);
  double s = 0;
  for (double p : part) s += p;
  return s;
}
}  // namespace

void sum(const float* x, int64_t n, float* out) {
  *out = static_cast<float>(reduce_sum(n, [&](int64_t i) { return static_cast<double>(x[i]); }));
}

void sum_squares(const float* x, int64_t n, float* out) {
  *out = static_cast<float>(reduce_sum(n, [&](int64_t i) { return static_cast<double>(x[i]) * x[i]; }));
}

int64_t first_non_finite(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) return i;
  return -1;
}

}  // namespace seqcore
