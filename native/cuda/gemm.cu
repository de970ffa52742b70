// SGEMM through cuBLASLt (loaded at run time: cublaslt.h), row-major as native/cpu/gemm.h.
//
// cuBLASLt is column-major. A row-major M×N matrix with leading dimension ld is, read
// column-major, its N×M transpose with the same ld, so the row-major product
//   C = alpha·op(A)·op(B) + beta·C
// is the column-major product Cᵀ = alpha·op(B)ᵀ·op(A)ᵀ + beta·Cᵀ: cuBLASLt's "A" is our B
// (transposed iff trans_b), its "B" is our A (transposed iff trans_a), m = N, n = M, k = K.
//
// One handle, one 32 MiB workspace (kept), everything on stream(). For each problem
// (shapes, transposes, leading dimensions, precision, and the alignment of the three
// pointers, which the heuristic must be told: its default assumes 256-byte aligned
// matrices) the descriptors and the heuristic's algorithm are made once and cached.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>

#include "cuda/cublaslt.h"
#include "cuda/kernels.h"
#include "cuda/runtime.h"

namespace seqcore {
namespace cuda {
namespace {

constexpr size_t kWorkspaceBytes = size_t(32) << 20;
constexpr size_t kMaxPlans = 4096;  // past this the cache is emptied (packed batches vary M)

std::atomic<GemmPrecision> g_precision{GemmPrecision::kFp32};

struct PlanKey {
  int64_t M, N, K, lda, ldb, ldc;
  bool ta, tb;
  GemmPrecision precision;
  uint32_t align_a, align_b, align_c;
  bool operator<(const PlanKey& o) const {
    return std::tie(M, N, K, lda, ldb, ldc, ta, tb, precision, align_a, align_b, align_c) <
           std::tie(o.M, o.N, o.K, o.lda, o.ldb, o.ldc, o.ta, o.tb, o.precision, o.align_a, o.align_b, o.align_c);
  }
};

struct Plan {
  lt::MatmulDesc desc = nullptr;
  lt::MatrixLayout a = nullptr, b = nullptr, c = nullptr;  // cuBLASLt's A (our B), B (our A), C = D
  lt::MatmulAlgo algo{};
};

void destroy(const lt::Api& api, Plan& p) {
  if (p.a) api.MatrixLayoutDestroy(p.a);
  if (p.b) api.MatrixLayoutDestroy(p.b);
  if (p.c) api.MatrixLayoutDestroy(p.c);
  if (p.desc) api.MatmulDescDestroy(p.desc);
  p = Plan{};
}

struct GemmState {
  std::mutex mu;
  lt::Handle handle = nullptr;
  void* workspace = nullptr;  // 256-byte aligned, kWorkspaceBytes
  std::map<PlanKey, Plan> plans;
};

// Never destroyed: at exit the CUDA runtime may already be gone.
GemmState& state() {
  static GemmState* s = new GemmState();
  return *s;
}

std::string shape(const PlanKey& k) {
  return "sgemm M=" + std::to_string(k.M) + " N=" + std::to_string(k.N) + " K=" + std::to_string(k.K) +
         " transA=" + (k.ta ? "1" : "0") + " transB=" + (k.tb ? "1" : "0") + " lda=" + std::to_string(k.lda) +
         " ldb=" + std::to_string(k.ldb) + " ldc=" + std::to_string(k.ldc) +
         (k.precision == GemmPrecision::kTf32   ? " (tf32)"
          : k.precision == GemmPrecision::kBf16 ? " (bf16)"
                                                : "");
}

void lt_check(lt::Status s, const char* call, const std::string& what) {
  if (s != lt::CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error("cuda: " + what + ": " + call + " failed: " + lt::status_name(s));
}

// Largest power of two (≤ 256) dividing the address.
uint32_t alignment(const void* p) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  uint32_t al = 256;
  while (al > 1 && (a % al) != 0) al >>= 1;
  return al;
}

// Caller holds s.mu.
const lt::Api& ensure_ready(GemmState& s) {
  const lt::Api& api = cublaslt();  // throws with every place looked when cuBLASLt is missing
  if (!s.handle) lt_check(api.Create(&s.handle), "cublasLtCreate", "sgemm");
  if (!s.workspace) {
    void* raw = device_alloc(kWorkspaceBytes + 256);
    const uintptr_t p = (reinterpret_cast<uintptr_t>(raw) + 255) & ~uintptr_t(255);
    s.workspace = reinterpret_cast<void*>(p);
  }
  return api;
}

// A column-major rows×cols layout. With one column the leading dimension addresses nothing,
// so it is raised to rows if smaller (cuBLASLt rejects ld < rows).
lt::MatrixLayout make_layout(const lt::Api& api, int64_t rows, int64_t cols, int64_t ld, const std::string& what) {
  if (cols == 1 && ld < rows) ld = rows;
  lt::MatrixLayout l = nullptr;
  lt_check(api.MatrixLayoutCreate(&l, CUDA_R_32F, static_cast<uint64_t>(rows), static_cast<uint64_t>(cols), ld),
           "cublasLtMatrixLayoutCreate", what);
  return l;
}

Plan make_plan(const lt::Api& api, lt::Handle handle, const PlanKey& k) {
  const std::string what = shape(k);
  Plan p;
  try {
    const lt::ComputeType compute = k.precision == GemmPrecision::kTf32   ? lt::CUBLAS_COMPUTE_32F_FAST_TF32
                                    : k.precision == GemmPrecision::kBf16 ? lt::CUBLAS_COMPUTE_32F_FAST_16BF
                                                                          : lt::CUBLAS_COMPUTE_32F;
    lt_check(api.MatmulDescCreate(&p.desc, compute, CUDA_R_32F), "cublasLtMatmulDescCreate", what);
    const int32_t op_a = k.tb ? lt::CUBLAS_OP_T : lt::CUBLAS_OP_N;  // cuBLASLt's A is our B
    const int32_t op_b = k.ta ? lt::CUBLAS_OP_T : lt::CUBLAS_OP_N;  // cuBLASLt's B is our A
    lt_check(api.MatmulDescSetAttribute(p.desc, lt::CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof(op_a)),
             "cublasLtMatmulDescSetAttribute(TRANSA)", what);
    lt_check(api.MatmulDescSetAttribute(p.desc, lt::CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof(op_b)),
             "cublasLtMatmulDescSetAttribute(TRANSB)", what);
    // Stored (before op) column-major shapes: our B is N×K (K×N when trans_b), our A is
    // K×M (M×K when trans_a), our C is N×M.
    p.a = make_layout(api, k.tb ? k.K : k.N, k.tb ? k.N : k.K, k.ldb, what);
    p.b = make_layout(api, k.ta ? k.M : k.K, k.ta ? k.K : k.M, k.lda, what);
    p.c = make_layout(api, k.N, k.M, k.ldc, what);

    lt::MatmulPreference pref = nullptr;
    lt_check(api.MatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate", what);
    lt::Status st = lt::CUBLAS_STATUS_SUCCESS;
    const uint64_t ws = kWorkspaceBytes;
    const uint32_t al_a = k.align_b, al_b = k.align_a, al_c = k.align_c;  // cuBLASLt's A/B are our B/A
    const struct {
      lt::MatmulPreferenceAttribute attr;
      const void* buf;
      size_t bytes;
    } prefs[] = {
        {lt::CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)},
        {lt::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &al_a, sizeof(al_a)},
        {lt::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &al_b, sizeof(al_b)},
        {lt::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &al_c, sizeof(al_c)},
        {lt::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &al_c, sizeof(al_c)},
    };
    for (const auto& a : prefs)
      if (st == lt::CUBLAS_STATUS_SUCCESS) st = api.MatmulPreferenceSetAttribute(pref, a.attr, a.buf, a.bytes);
    lt::MatmulHeuristicResult result{};
    int found = 0;
    if (st == lt::CUBLAS_STATUS_SUCCESS)
      st = api.MatmulAlgoGetHeuristic(handle, p.desc, p.a, p.b, p.c, p.c, pref, 1, &result, &found);
    api.MatmulPreferenceDestroy(pref);
    lt_check(st, "cublasLtMatmulAlgoGetHeuristic", what);
    if (found < 1 || result.state != lt::CUBLAS_STATUS_SUCCESS)
      throw std::runtime_error("cuda: " + what + ": cuBLASLt has no algorithm for this problem (alignments " +
                               std::to_string(k.align_a) + "/" + std::to_string(k.align_b) + "/" +
                               std::to_string(k.align_c) + " bytes)");
    p.algo = result.algo;
  } catch (...) {
    destroy(api, p);
    throw;
  }
  return p;
}

// C[i·ldc + j] = beta·C[i·ldc + j] (0 when beta == 0, C unread) for i < M, j < N: the K = 0
// product. Launch: grid_for(M·N, 256) blocks of 256 threads, grid-stride over the M·N entries.
__global__ void sgemm_scale_c(float* C, int64_t M, int64_t N, int64_t ldc, float beta) {
  const int64_t n = M * N;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    float* c = C + (e / N) * ldc + e % N;
    *c = beta == 0.f ? 0.f : beta * *c;
  }
}

}  // namespace

void gemm_init() {
  GemmState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  ensure_ready(s);
}

void set_gemm_precision(GemmPrecision p) { g_precision.store(p); }

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (beta == 1.f) return;
    sgemm_scale_c<<<grid_for(M * N, 256), 256, 0, stream()>>>(C, M, N, ldc, beta);
    check_launch("sgemm_scale_c");
    return;
  }
  const PlanKey key{M,           N, K, lda, ldb, ldc, trans_a, trans_b, g_precision.load(), alignment(A), alignment(B),
                    alignment(C)};
  GemmState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  const lt::Api& api = ensure_ready(s);
  auto it = s.plans.find(key);
  if (it == s.plans.end()) {
    if (s.plans.size() >= kMaxPlans) {
      for (auto& kv : s.plans) destroy(api, kv.second);
      s.plans.clear();
    }
    it = s.plans.emplace(key, make_plan(api, s.handle, key)).first;
  }
  const Plan& p = it->second;
  // beta == 0: cuBLASLt does not read C (it may hold NaN), as cuBLAS's gemm.
  const lt::Status st = api.Matmul(s.handle, p.desc, &alpha, B, p.a, A, p.b, &beta, C, p.c, C, p.c, &p.algo,
                                   s.workspace, kWorkspaceBytes, stream());
  if (st != lt::CUBLAS_STATUS_SUCCESS) lt_check(st, "cublasLtMatmul", shape(key));
}

}  // namespace cuda
}  // namespace seqcore
