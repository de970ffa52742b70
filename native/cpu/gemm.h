// SGEMM, row-major: C (M×N, ldc) = alpha · op(A) · op(B) + beta · C
//   op(A) is M×K: A[i*lda + k], or A[k*lda + i] when trans_a
//   op(B) is K×N: B[k*ldb + j], or B[j*ldb + k] when trans_b
// beta == 0 never reads C (it may hold garbage or NaN).
#pragma once
#include <cstdint>

namespace seqcore {

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// op(B) packed once into the micro-kernel's panel layout, for products that reuse the same
// B many times (the GRU's recurrent weights, once per time step).
struct PackedB {
  int64_t K = 0, N = 0;
  int nr = 0;
  float* data = nullptr;  // ceil(K/KC) blocks, each ceil(N/nr) panels of kc×nr
  ~PackedB();
  PackedB() = default;
  PackedB(const PackedB&) = delete;
  PackedB& operator=(const PackedB&) = delete;
};
void pack_b_full(bool trans_b, int64_t K, int64_t N, const float* B, int64_t ldb, PackedB* out);
// C (M×N) = op(A)·B + beta·C with B pre-packed; runs on the calling thread only (callers
// parallelise above it).
void sgemm_packed_b(bool trans_a, int64_t M, const float* A, int64_t lda, const PackedB& B, float beta, float* C,
                    int64_t ldc);

// Micro-kernel: c (MR×NR, row stride ldc) = a·b + (beta == 0 ? 0 : beta·c), where
//   a: packed MR×kc panel, MR values per k;  b: packed kc×NR panel, NR values per k.
struct GemmMicroKernel {
  int mr, nr;
  void (*run)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float beta);
};
GemmMicroKernel gemm_kernel_scalar();
GemmMicroKernel gemm_kernel_avx2();    // defined in a file compiled with -mavx2 -mfma
GemmMicroKernel gemm_kernel_avx512();  // defined in a file compiled with -mavx512f

}  // namespace seqcore
