// JavaScript entry points of the SGEMM (native/cpu/gemm.cc, native/cuda/gemm.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// Elements a row-major rows×cols view with leading dimension ld spans (0 if empty).
int64_t span(const Args& a, int64_t rows, int64_t cols, int64_t ld, const char* name) {
  if (ld < cols)
    a.fail(std::string("leading dimension of '") + name + "' (" + std::to_string(ld) + ") is less than its " +
           std::to_string(cols) + " columns");
  return rows == 0 || cols == 0 ? 0 : a.add(a.mul(rows - 1, ld, "(rows − 1) × ld"), cols, "(rows − 1) × ld + cols");
}

// gemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
Napi::Value Gemm(Info info) {
  Args a(info, "gemm", 16);
  bool ta = a.flag(0, "transA"), tb = a.flag(1, "transB");
  int64_t M = a.size(2, "M"), N = a.size(3, "N"), K = a.size(4, "K");
  float alpha = static_cast<float>(a.num(5, "alpha")), beta = static_cast<float>(a.num(12, "beta"));
  int64_t ao = a.size(7, "aOffset"), lda = a.size(8, "lda");
  int64_t bo = a.size(10, "bOffset"), ldb = a.size(11, "ldb");
  int64_t co = a.size(14, "cOffset"), ldc = a.size(15, "ldc");
  int64_t an = ta ? span(a, K, M, lda, "A") : span(a, M, K, lda, "A");
  int64_t bn = tb ? span(a, N, K, ldb, "B") : span(a, K, N, ldb, "B");
  int64_t cn = span(a, M, N, ldc, "C");
  if (a.id(13, "C") == a.id(6, "A") || a.id(13, "C") == a.id(9, "B")) a.fail("C must not share storage with A or B");
  const float* A = a.buf<float>(6, "A", an, ao);
  const float* B = a.buf<float>(9, "B", bn, bo);
  float* C = a.buf<float>(13, "C", cn, co);
  backend::sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  return Undef(info);
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) { export_fn<Gemm>(env, exports, "gemm"); }

}  // namespace seqcore
