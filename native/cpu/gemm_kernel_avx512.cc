// AVX-512 micro-kernel, 12×32: 24 zmm accumulators, B loaded as 2 vectors, A broadcast
// (the broadcast folds into the FMA's memory operand).
#include "cpu/gemm.h"
#include "cpu/portable.h"

#if SEQCORE_X86
#include <immintrin.h>

namespace seqcore {
namespace {
constexpr int MR = 12, NR = 32;

void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  __m512 acc[MR][2];
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  // Bring the C tile towards L1 while the k loop runs (its rows are ldc apart).
  for (int i = 0; i < MR; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    _mm_prefetch(reinterpret_cast<const char*>(a + 16 * MR), _MM_HINT_T0);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    if (beta != 0.f) {
      acc[i][0] = _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci), acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci + 16), acc[i][1]);
    }
    _mm512_storeu_ps(ci, acc[i][0]);
    _mm512_storeu_ps(ci + 16, acc[i][1]);
  }
}
}  // namespace

GemmMicroKernel gemm_kernel_avx512() { return {MR, NR, run}; }

}  // namespace seqcore

#else
namespace seqcore {
// Off x86 there is no AVX-512 path: detect_isa() never selects it.
GemmMicroKernel gemm_kernel_avx512() { return gemm_kernel_scalar(); }
}  // namespace seqcore
#endif
