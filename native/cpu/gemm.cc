// SGEMM driver (BLIS-style loop nest): for each KC-deep slice and NC-wide column block of
// op(B), pack B into NR-wide panels (shared by the threads), then each thread packs an MC×KC
// block of op(A) into MR-tall panels (alpha folded in; packed once per slice and shared when
// there are several column blocks) and sweeps the micro-kernel over it. Packing absorbs
// every transpose combination, so one micro-kernel serves all four.
#include "cpu/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "cpu/aligned_buffer.h"
#include "cpu/cpu_features.h"
#include "cpu/portable.h"
#include "cpu/threadpool.h"

namespace seqcore {
namespace {

constexpr int64_t KC = 384;           // deep enough to amortise C traffic; B micro-panel KC×NR streams via L1
constexpr int64_t MC_MAX = 192;       // A block MC×KC stays in L2
constexpr int64_t NC = 1024;          // B block KC×NC (1.5 MiB) stays in each core's L2
constexpr double kSerialFlops = 2e6;  // below this, threading costs more than it gains

GemmMicroKernel pick_kernel() {
  switch (active_isa()) {
    case Isa::Avx512:
      return gemm_kernel_avx512();
    case Isa::Avx2:
      return gemm_kernel_avx2();
    default:
      return gemm_kernel_scalar();
  }
}

// out: ceil(mc/mr) panels of mr×kc; rows past mc are zero.
void pack_a(bool ta, const float* A, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float alpha, int mr,
            float* out) {
  for (int64_t ir = 0; ir < mc; ir += mr) {
    int64_t m = std::min<int64_t>(mr, mc - ir);
    float* o = out + ir * kc;
    if (!ta) {
      // k outer, rows inner: the packed panel is written contiguously from m row streams.
      const float* src = A + (i0 + ir) * lda + p0;
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t r = 0; r < m; ++r) o[k * mr + r] = alpha * src[r * lda + k];
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = A + (p0 + k) * lda + i0 + ir;
        for (int64_t r = 0; r < m; ++r) o[k * mr + r] = alpha * src[r];
      }
    }
    for (int64_t r = m; r < mr; ++r)
      for (int64_t k = 0; k < kc; ++k) o[k * mr + r] = 0.f;
  }
}

// out: panels [jp0, jp1) of kc×nr each; columns past nc are zero.
void pack_b(bool tb, const float* B, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc, int nr, int64_t jp0,
            int64_t jp1, float* out) {
  for (int64_t jp = jp0; jp < jp1; ++jp) {
    int64_t jr = jp * nr, n = std::min<int64_t>(nr, nc - jr);
    float* o = out + jr * kc;
    if (!tb) {
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = B + (p0 + k) * ldb + j0 + jr;
        float* ok = o + k * nr;
        for (int64_t c = 0; c < n; ++c) ok[c] = src[c];
        for (int64_t c = n; c < nr; ++c) ok[c] = 0.f;
      }
    } else {
      for (int64_t c = 0; c < n; ++c) {
        const float* src = B + (j0 + jr + c) * ldb + p0;
        for (int64_t k = 0; k < kc; ++k) o[k * nr + c] = src[k];
      }
      for (int64_t c = n; c < nr; ++c)
        for (int64_t k = 0; k < kc; ++k) o[k * nr + c] = 0.f;
    }
  }
}

// C (mc × panels [jp0, jp1) of B) = A block · B panels + beta·C: the micro-kernel over every
// MR×NR tile; edge tiles go through a temporary so the kernel always sees full tiles.
void macro_kernel(const GemmMicroKernel& uk, int64_t kc, const float* ap, int64_t mc, const float* bp, int64_t jp0,
                  int64_t jp1, int64_t nc, float beta, float* C, int64_t ldc) {
  const int mr = uk.mr, nr = uk.nr;
  alignas(64) float tmp[32 * 32];  // edge tile, mr×nr ≤ 32×32
  for (int64_t jp = jp0; jp < jp1; ++jp) {
    const int64_t n = std::min<int64_t>(nr, nc - jp * nr);
    const float* bpanel = bp + jp * nr * kc;
    for (int64_t ir = 0; ir < mc; ir += mr) {
      const int64_t m = std::min<int64_t>(mr, mc - ir);
      float* ct = C + ir * ldc + jp * nr;
      if (m == mr && n == nr) {
        uk.run(kc, ap + ir * kc, bpanel, ct, ldc, beta);
        continue;
      }
      uk.run(kc, ap + ir * kc, bpanel, tmp, nr, 0.f);
      for (int64_t r = 0; r < m; ++r)
        for (int64_t c = 0; c < n; ++c)
          ct[r * ldc + c] = tmp[r * nr + c] + (beta == 0.f ? 0.f : beta * ct[r * ldc + c]);
    }
  }
}

void scale_c(int64_t M, int64_t N, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.f ? 0.f : beta * C[i * ldc + j];
}

}  // namespace

void sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.f) {
    scale_c(M, N, beta, C, ldc);
    return;
  }

  const GemmMicroKernel uk = pick_kernel();
  const int mr = uk.mr, nr = uk.nr;
  const int T = 2.0 * M * N * K < kSerialFlops ? 1 : num_threads();

  // Split M into blocks of at most about MC_MAX rows, a multiple of the thread count when
  // possible, with the MR-row panels spread evenly (block sizes differ by at most one panel)
  // so the threads finish together; if M is too short for that, split N instead.
  const int64_t m_panels = (M + mr - 1) / mr;
  int64_t m_blocks = std::max<int64_t>(1, (M + MC_MAX - 1) / MC_MAX);
  if (m_panels >= T) m_blocks = std::min(m_panels, (m_blocks + T - 1) / T * T);
  const int64_t mc_max = ((m_panels + m_blocks - 1) / m_blocks) * mr;

  static thread_local AlignedBuffer b_buf, a_full;
  float* bp = b_buf.get(((std::min(N, NC) + nr - 1) / nr) * nr * KC);
  // With several column blocks, pack each KC-slice of A once and share it across them;
  // with one, each thread packs its own block where it will use it.
  const bool share_a = N > NC;

  for (int64_t pc = 0; pc < K; pc += KC) {
    const int64_t kc = std::min(KC, K - pc);
    const float beta_k = pc == 0 ? beta : 1.f;
    float* af = share_a ? a_full.get(m_panels * mr * kc) : nullptr;
    if (share_a)
      parallel_run(
          [&](int tid, int nt) {
            const int64_t p0 = m_panels * tid / nt, p1 = m_panels * (tid + 1) / nt;
            if (p0 < p1)
              pack_a(ta, A, lda, p0 * mr, std::min(p1 * mr, M) - p0 * mr, pc, kc, alpha, mr, af + p0 * mr * kc);
          },
          T);
    for (int64_t jc = 0; jc < N; jc += NC) {
      const int64_t nc = std::min(NC, N - jc);
      const int64_t n_panels = (nc + nr - 1) / nr;
      const int64_t n_parts = m_blocks < T ? std::min<int64_t>(T, n_panels) : 1;
      const int64_t units = m_blocks * n_parts;
      parallel_run(
          [&](int tid, int nt) {
            pack_b(tb, B, ldb, pc, kc, jc, nc, nr, n_panels * tid / nt, n_panels * (tid + 1) / nt, bp);
          },
          T);
      parallel_run(
          [&](int tid, int nt) {
            static thread_local AlignedBuffer a_buf;
            float* ap = share_a ? nullptr : a_buf.get(mc_max * kc);
            for (int64_t u = tid; u < units; u += nt) {
              const int64_t blk = u / n_parts, part = u % n_parts;
              const int64_t i0 = m_panels * blk / m_blocks * mr;
              const int64_t mc = std::min(m_panels * (blk + 1) / m_blocks * mr, M) - i0;
              const int64_t jp0 = n_panels * part / n_parts, jp1 = n_panels * (part + 1) / n_parts;
              if (!share_a) pack_a(ta, A, lda, i0, mc, pc, kc, alpha, mr, ap);
              macro_kernel(uk, kc, share_a ? af + i0 * kc : ap, mc, bp, jp0, jp1, nc, beta_k, C + i0 * ldc + jc, ldc);
            }
          },
          T);
    }
  }
}

PackedB::~PackedB() { aligned_free(data); }

void pack_b_full(bool tb, int64_t K, int64_t N, const float* B, int64_t ldb, PackedB* out) {
  const GemmMicroKernel uk = pick_kernel();
  const int64_t n_panels = (N + uk.nr - 1) / uk.nr;
  aligned_free(out->data);
  out->data = static_cast<float*>(
      aligned_alloc64(static_cast<size_t>(std::max<int64_t>(K, 1) * n_panels * uk.nr) * sizeof(float)));
  if (!out->data) throw std::bad_alloc();
  out->K = K;
  out->N = N;
  out->nr = uk.nr;
  for (int64_t pc = 0; pc < K; pc += KC) {
    const int64_t kc = std::min(KC, K - pc);
    float* dst = out->data + pc * n_panels * uk.nr;
    parallel_run(
        [&](int tid, int nt) {
          pack_b(tb, B, ldb, pc, kc, 0, N, uk.nr, n_panels * tid / nt, n_panels * (tid + 1) / nt, dst);
        },
        2.0 * K * N > kSerialFlops ? 0 : 1);
  }
}

void sgemm_packed_b(bool ta, int64_t M, const float* A, int64_t lda, const PackedB& B, float beta, float* C,
                    int64_t ldc) {
  const GemmMicroKernel uk = pick_kernel();
  if (uk.nr != B.nr) throw std::logic_error("sgemm_packed_b: B was packed for another SIMD path");
  if (M <= 0 || B.N <= 0) return;
  if (B.K <= 0) {
    scale_c(M, B.N, beta, C, ldc);
    return;
  }
  const int64_t n_panels = (B.N + uk.nr - 1) / uk.nr;
  const int64_t mc_max = (MC_MAX + uk.mr - 1) / uk.mr * uk.mr;
  static thread_local AlignedBuffer a_buf;
  for (int64_t pc = 0; pc < B.K; pc += KC) {
    const int64_t kc = std::min(KC, B.K - pc);
    float* ap = a_buf.get(mc_max * kc);
    for (int64_t i0 = 0; i0 < M; i0 += mc_max) {
      const int64_t mc = std::min(mc_max, M - i0);
      pack_a(ta, A, lda, i0, mc, pc, kc, 1.f, uk.mr, ap);
      macro_kernel(uk, kc, ap, mc, B.data + pc * n_panels * uk.nr, 0, n_panels, B.N, pc == 0 ? beta : 1.f, C + i0 * ldc,
                   ldc);
    }
  }
}

}  // namespace seqcore
