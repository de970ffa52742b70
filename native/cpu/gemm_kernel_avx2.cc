// AVX2+FMA micro-kernel, 6×16: 12 ymm accumulators, B loaded as 2 vectors, A broadcast.
#include "cpu/gemm.h"
#include "cpu/portable.h"

#if SEQCORE_X86
#include <immintrin.h>

namespace seqcore {
namespace {
constexpr int MR = 6, NR = 16;

void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  __m256 acc[MR][2];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  __m256 vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    if (beta != 0.f) {
      acc[i][0] = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci), acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci + 8), acc[i][1]);
    }
    _mm256_storeu_ps(ci, acc[i][0]);
    _mm256_storeu_ps(ci + 8, acc[i][1]);
  }
}
}  // namespace

GemmMicroKernel gemm_kernel_avx2() { return {MR, NR, run}; }

}  // namespace seqcore

#else
namespace seqcore {
// Off x86 there is no AVX2 path: detect_isa() never selects it.
GemmMicroKernel gemm_kernel_avx2() { return gemm_kernel_scalar(); }
}  // namespace seqcore
#endif
