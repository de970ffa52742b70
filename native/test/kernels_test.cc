// The CPU kernels without Node, on whatever processor runs this (x86-64 natively, arm64 under
// qemu-aarch64 in CI: scripts/aarch64-check.sh), each against a reference written out here in
// double precision, on every SIMD path the processor has:
//   GEMM (all four transpose cases, beta 0 and not) against the naive triple loop;
//   the GRU cell, forward and backward, against its formulas;
//   the dropout hash against values fixed in this file (masks must agree on every platform);
//   float16 conversion: every finite half survives half → float → half, and known roundings.
// Prints one line per check; exit status 0 when all pass.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/device_math.h"
#include "cpu/cpu_features.h"
#include "cpu/gemm.h"
#include "cpu/gru_cell.h"

using namespace seqcore;

namespace {

int failures = 0;

void report(bool ok, const char* what, double err, double tol) {
  std::printf("%s %-52s max error %.3g (tolerance %.3g)\n", ok ? "ok  " : "FAIL", what, err, tol);
  if (!ok) ++failures;
}

// A deterministic pseudo-random sequence in [-1, 1).
struct Lcg {
  uint64_t s;
  float next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>((s >> 40) & 0xFFFFFF) / 8388608.f - 1.f;
  }
};

std::vector<float> randoms(size_t n, uint64_t seed) {
  Lcg g{seed};
  std::vector<float> v(n);
  for (float& x : v) x = g.next();
  return v;
}

void check_gemm(const char* isa) {
  const int64_t shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {64, 48, 33}, {130, 70, 257}};
  double worst = 0;
  for (const auto& s : shapes)
    for (int t = 0; t < 4; ++t)
      for (float beta : {0.f, 0.5f}) {
        const int64_t M = s[0], N = s[1], K = s[2];
        const bool ta = t & 1, tb = t & 2;
        const std::vector<float> A = randoms(M * K, 1 + t), B = randoms(K * N, 2 + t);
        std::vector<float> C = randoms(M * N, 3), C0 = C;
        const int64_t lda = ta ? M : K, ldb = tb ? K : N;
        sgemm(ta, tb, M, N, K, 1.f, A.data(), lda, B.data(), ldb, beta, C.data(), N);
        for (int64_t i = 0; i < M; ++i)
          for (int64_t j = 0; j < N; ++j) {
            double want = beta * double(C0[i * N + j]), scale = std::fabs(want);
            for (int64_t k = 0; k < K; ++k) {
              const double a = ta ? A[k * lda + i] : A[i * lda + k], b = tb ? B[j * ldb + k] : B[k * ldb + j];
              want += a * b;
              scale += std::fabs(a * b);
            }
            worst = std::fmax(worst, std::fabs(C[i * N + j] - want) / (scale + 1e-30));
          }
      }
  char what[64];
  std::snprintf(what, sizeof what, "gemm [%s], 4 shapes x 4 transposes x 2 betas", isa);
  // fp32 accumulation over K ≤ 257 terms, relative to Σ|a·b|: a few ulps per term at most
  report(worst <= 1e-5, what, worst, 1e-5);
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

void check_gru_cell(const char* isa) {
  const int64_t rows = 5, H = 37;  // H not a multiple of any vector width
  const std::vector<float> gi = randoms(rows * 3 * H, 11), gh = randoms(rows * 3 * H, 12), bih = randoms(3 * H, 13),
                           bhh = randoms(3 * H, 14), hp = randoms(rows * H, 15), dh = randoms(rows * H, 16);
  std::vector<float> h(rows * H), gates(rows * 4 * H), dgi(rows * 3 * H), dgh(rows * 3 * H), dhp(rows * H);
  const GruCellKernels k = gru_cell_kernels();
  k.forward(rows, H, gi.data(), gh.data(), bih.data(), bhh.data(), hp.data(), h.data(), gates.data());
  k.backward(rows, H, dh.data(), hp.data(), gates.data(), dgi.data(), dgh.data(), dhp.data());
  double fwd = 0, bwd = 0;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < H; ++j) {
      auto at = [&](const std::vector<float>& v, int g) { return double(v[i * 3 * H + g * H + j]); };
      const double r = sigmoid(at(gi, 0) + bih[j] + at(gh, 0) + bhh[j]);
      const double z = sigmoid(at(gi, 1) + bih[H + j] + at(gh, 1) + bhh[H + j]);
      const double ghn = at(gh, 2) + bhh[2 * H + j];
      const double n = std::tanh(at(gi, 2) + bih[2 * H + j] + r * ghn);
      const double p = hp[i * H + j], want = (1 - z) * n + z * p;
      fwd = std::fmax(fwd, std::fabs(h[i * H + j] - want));
      const double d = dh[i * H + j];
      const double dn = d * (1 - z) * (1 - n * n), dz = d * (p - n) * z * (1 - z), dr = dn * ghn * r * (1 - r);
      const double want_gi[3] = {dr, dz, dn}, want_gh[3] = {dr, dz, dn * r};
      for (int g = 0; g < 3; ++g) {
        bwd = std::fmax(bwd, std::fabs(at(dgi, g) - want_gi[g]));
        bwd = std::fmax(bwd, std::fabs(at(dgh, g) - want_gh[g]));
      }
      bwd = std::fmax(bwd, std::fabs(dhp[i * H + j] - d * z));
    }
  char what[64];
  // fast_exp (common/device_math.h) is accurate to a few parts in 1e7; values are O(1)
  std::snprintf(what, sizeof what, "gru cell forward [%s], H = 37", isa);
  report(fwd <= 1e-5, what, fwd, 1e-5);
  std::snprintf(what, sizeof what, "gru cell backward [%s], H = 37", isa);
  report(bwd <= 1e-5, what, bwd, 1e-5);
}

void check_dropout_hash() {
  // dropout_uniform's bits at fixed (seed, index): the same masks on every platform and
  // backend. Values taken from this function on x86-64.
  const struct {
    uint32_t seed;
    uint64_t i;
    uint32_t bits;
  } fixed[] = {
      {0, 1, 0x3f12ca2fu}, {1, 1, 0x3e5b7ad4u}, {7, 123456789, 0x3f6ef4c3u}, {4294967295u, 1ull << 40, 0x3ecb510eu}};
  double bad = 0;
  for (const auto& f : fixed) {
    const float u = dropout_uniform(f.seed, f.i);
    uint32_t bits;
    std::memcpy(&bits, &u, 4);
    if (bits != f.bits) {
      std::printf("     dropout_uniform(%u, %llu) = 0x%08x, expected 0x%08x\n", f.seed,
                  static_cast<unsigned long long>(f.i), bits, f.bits);
      bad += 1;
    }
  }
  report(bad == 0, "dropout hash: fixed values, bit for bit", bad, 0);
}

void check_float16() {
  double bad = 0;
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF)) continue;  // NaN payloads need not survive
    if (f32_to_f16(f16_to_f32(static_cast<uint16_t>(h))) != h) bad += 1;
  }
  const struct {
    float f;
    uint16_t h;
  } known[] = {{1.f, 0x3C00},
               {-2.f, 0xC000},
               {65504.f, 0x7BFF},
               {65520.f, 0x7C00},
               {1e-8f, 0x0000},
               {1.f + 1.f / 2048, 0x3C00} /* tie: to even */,
               {1.f + 3.f / 2048, 0x3C02},
               {5.96046448e-8f, 0x0001}};
  for (const auto& k : known)
    if (f32_to_f16(k.f) != k.h) {
      std::printf("     f32_to_f16(%.9g) = 0x%04x, expected 0x%04x\n", k.f, f32_to_f16(k.f), k.h);
      bad += 1;
    }
  report(bad == 0, "float16: every finite half round-trips; known roundings", bad, 0);
}

}  // namespace

int main() {
  const Isa best = detect_isa();
  for (int i = 0; i <= static_cast<int>(best); ++i) {
    const Isa isa = static_cast<Isa>(i);
    set_isa(isa);
    check_gemm(isa_name(isa));
    check_gru_cell(isa_name(isa));
  }
  check_dropout_hash();
  check_float16();
  std::printf("%s\n", failures ? "FAILED" : "all passed");
  return failures ? 1 : 0;
}
