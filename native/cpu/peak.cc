#include "cpu/peak.h"

#include <atomic>
#include <chrono>
#include <vector>

#include "cpu/cpu_features.h"
#include "cpu/portable.h"
#include "cpu/threadpool.h"
#if SEQCORE_X86
#include <immintrin.h>
#endif

namespace seqcore {
namespace {

// 24 independent accumulators hide FMA latency on two FMA ports. Returns FLOPs done.
#if SEQCORE_X86
SEQCORE_TARGET("avx512f") double fma_avx512(int64_t iters, float* sink) {
  __m512 acc[24];
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  for (int64_t it = 0; it < iters; ++it)
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], m, a);
  __m512 s = acc[0];
  for (int i = 1; i < 24; ++i) s = _mm512_add_ps(s, acc[i]);
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  *sink = out[0];
  return 2.0 * 16 * 24 * static_cast<double>(iters);
}

SEQCORE_TARGET("avx2,fma") double fma_avx2(int64_t iters, float* sink) {
  __m256 acc[12];
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  for (int64_t it = 0; it < iters; ++it)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, a);
  float out[8];
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  _mm256_storeu_ps(out, s);
  *sink = out[0];
  return 2.0 * 8 * 12 * static_cast<double>(iters);
}

#endif

double fma_scalar(int64_t iters, float* sink) {
  float acc[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  for (int64_t it = 0; it < iters; ++it)
    for (float& x : acc) x = x * 0.999999f + 1e-7f;
  *sink = acc[0] + acc[7];
  return 2.0 * 8 * static_cast<double>(iters);
}

}  // namespace

double measure_peak_gflops(double seconds, int threads) {
  [[maybe_unused]] const Isa isa = active_isa();
  auto run = [&](int64_t iters, float* sink) {
#if SEQCORE_X86
    if (isa == Isa::Avx512) return fma_avx512(iters, sink);
    if (isa == Isa::Avx2) return fma_avx2(iters, sink);
#endif
    return fma_scalar(iters, sink);
  };
  float sink = 0;
  int64_t iters = 1 << 16;  // calibrate on one thread to about `seconds`
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    run(iters, &sink);
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > seconds / 4 || iters > (int64_t(1) << 40)) {
      iters = static_cast<int64_t>(iters * seconds / dt);
      break;
    }
    iters *= 4;
  }
  std::vector<double> flops(64, 0.0);
  std::vector<float> sinks(64, 0.f);
  auto t0 = std::chrono::steady_clock::now();
  parallel_run([&](int tid, int) { flops[tid] = run(iters, &sinks[tid]); }, threads);
  double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double total = 0;
  for (double f : flops) total += f;
  return total / dt / 1e9;
}

}  // namespace seqcore
