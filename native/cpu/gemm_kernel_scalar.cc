// Portable micro-kernel (4×8), the fallback where neither AVX2 nor AVX-512 is present.
#include "cpu/gemm.h"

namespace seqcore {
namespace {
constexpr int MR = 4, NR = 8;

void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  float acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k, a += MR, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) c[i * ldc + j] = beta == 0.f ? acc[i][j] : acc[i][j] + beta * c[i * ldc + j];
}
}  // namespace

GemmMicroKernel gemm_kernel_scalar() { return {MR, NR, run}; }

}  // namespace seqcore
