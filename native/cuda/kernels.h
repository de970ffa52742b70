// Every CUDA kernel of seqcore, with the CPU kernels' signatures (native/cpu/kernels.h,
// gemm.h, pack.h, gru.h, attention.h, als.h) on device pointers, so that the N-API bindings
// in native/napi are written once and compiled against either. Each function queues work on
// the compute stream (runtime.h) and returns without waiting, except the few that return a
// host value (first_non_finite). Host arrays (layouts, pointer tables, CSR) are host memory;
// the kernels upload what they need. Checks the CPU bindings make on host data (ids and
// targets in range, int64 that fit int32) are device faults here, raised at the next read
// (runtime.h); cast_i64_i32 returns -1.
#pragma once
#include <cstdint>

#include "common/kernel_types.h"
#include "cpu/pack.h"  // PackedLayout (host)

namespace seqcore {
namespace cuda {

// ---- gemm.cu (cuBLASLt, loaded at run time: cublaslt.h) ----
// Row-major C (M×N, ldc) = alpha·op(A)·op(B) + beta·C; beta == 0 never reads C.
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
// GEMM precision: the inputs and output stay fp32, products accumulate in fp32; what the
// tensor cores may round the inputs to. kFp32: nothing (exact fp32, the default); kTf32: TF32
// (10 mantissa bits); kBf16: bfloat16 (7 mantissa bits; cuBLASLt may also pick TF32).
enum class GemmPrecision { kFp32, kTf32, kBf16 };
void set_gemm_precision(GemmPrecision p);

// ---- elementwise.cu ----
void binary(BinaryOp op, const float* a, const float* b, float* out, int64_t n);
void scale(const float* x, float s, float* out, int64_t n);
void axpy(float alpha, const float* x, float* y, int64_t n);  // y += alpha·x
void fill(float* out, float value, int64_t n);
void broadcast_scalar(const float* g, float s, float* out, int64_t n);  // out = s·g[0]
void add_bias(const float* x, const float* bias, float* out, int64_t rows, int64_t D);
void sum_rows(const float* x, float* out, int64_t rows, int64_t D);  // deterministic order
void unary(UnaryOp op, const float* x, float* y, int64_t n);
void unary_grad(UnaryOp op, const float* x, const float* y, const float* dy, float* dx, int64_t n);

// ---- layernorm.cu ----
void layernorm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd, int64_t rows,
               int64_t D, float eps);
void layernorm_grad(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                    float* dx, float* dgamma, float* dbeta, int64_t rows, int64_t D);

// ---- dropout.cu ---- (masks from dropout_uniform, common/device_math.h)
void dropout(const float* x, float* y, uint8_t* mask, int64_t n, float p, uint32_t seed);
void dropout_grad(const float* dy, const uint8_t* mask, float* dx, int64_t n, float p);

// ---- embedding.cu ----
// Ids outside [0, V) fault (kIdOutOfRange) and give zero rows.
void embedding_gather(const float* table, int64_t V, const int32_t* ids, float* out, int64_t n, int64_t E);
// Deterministic: rows are summed per id after a sort, no float atomics.
void embedding_scatter_add(const float* dy, const int32_t* ids, float* dtable, int64_t n, int64_t E, int64_t V);

// ---- concat.cu ----
void concat_last(const float* const* parts, const int64_t* widths, int64_t count, float* out, int64_t rows);
void split_last(const float* x, float* const* parts, const int64_t* widths, int64_t count, int64_t rows);

// ---- reduce.cu ---- (deterministic: fixed tree, float64 partials)
void sum(const float* x, int64_t n, float* out);
void sum_squares(const float* x, int64_t n, float* out);
int64_t first_non_finite(const float* x, int64_t n);  // waits for the stream

// ---- softmax_xent.cu ----
// loss[0] = mean over rows with target != ignore of (lse − logit[target]) (0 if none);
// count[0] = those rows. Targets outside [0, C) other than ignore fault (kTargetOutOfRange).
void softmax_xent(const float* logits, const int32_t* targets, float* lse, int64_t N, int64_t C, int32_t ignore,
                  float* loss, float* count);
// dlogits = dloss[0]/count[0]·(softmax − onehot(target)), zero on ignored rows (and if count is 0).
void softmax_xent_grad(const float* logits, const int32_t* targets, const float* lse, const float* count,
                       const float* dloss, float* dlogits, int64_t N, int64_t C, int32_t ignore);
void softmax_rows(const float* x, float* y, int64_t N, int64_t C);
void softmax_rows_grad(const float* y, const float* dy, float* dx, int64_t N, int64_t C);

// ---- losses.cu ----
void mse(const float* a, const float* b, int64_t n, float* out);  // mean (a−b)², 0 if n = 0
// da = dout[0]/n·2(a−b), db = −da; either may be null
void mse_grad(const float* a, const float* b, const float* dout, float* da, float* db, int64_t n);
void cosine(const float* a, const float* b, float* out, int64_t N, int64_t D, float eps);
void cosine_grad(const float* a, const float* b, const float* dout, float* da, float* db, int64_t N, int64_t D,
                 float eps);
void bce_logits(const float* x, const float* y, int64_t n, float* out);                         // mean
void bce_logits_grad(const float* x, const float* y, const float* dout, float* dx, int64_t n);  // dout[0]/n·(σ(x)−y)

// ---- adam.cu ---- (p, g, m, v: host arrays of device pointers; ss, out, clip: device)
void grad_clip(const float* ss, int64_t k, double max_norm, float* out);
// One launch for every tensor; clip[1] is read on the device (nothing written if not finite).
void adam_steps(float* const* p, const float* const* g, float* const* m, float* const* v, const int64_t* n,
                int64_t count, const AdamParams& a, const float* clip);

// ---- cast.cu ----
void cast_f32_f16(const float* x, uint16_t* y, int64_t n);
void cast_f16_f32(const uint16_t* x, float* y, int64_t n);
void cast_i32_f32(const int32_t* x, float* y, int64_t n);
int64_t cast_i64_i32(const int64_t* x, int32_t* y, int64_t n);  // -1; out-of-range values fault
void cast_i32_i64(const int32_t* x, int64_t* y, int64_t n);

// ---- pack.cu ----
void pack_padded(const float* padded, int64_t Tpad, int64_t E, const PackedLayout& l, float* packed);
void unpack_padded(const float* packed, int64_t Tpad, int64_t E, const PackedLayout& l, float* padded);

// ---- gru.cu ---- (same contract as native/cpu/gru.h; the workspace layout is this file's)
int64_t gru_workspace_floats(int64_t L, int64_t total, int64_t H, bool save, bool dropout);
void gru_forward(const float* x, const GruWeights& w, const float* h0, const PackedLayout& l, float p, uint32_t seed,
                 bool save, float* ws, float* out, float* hn);
void gru_backward(const float* x, const GruWeights& w, const float* h0, const PackedLayout& l, float p, const float* ws,
                  const float* out, const float* dout, const float* dhn, const GruGrads& g);

// ---- attention.cu ---- (same contract as native/cpu/attention.h)
int64_t attention_prob_floats(const PackedLayout& l, int64_t heads);
void attention_forward(const float* qkv, const PackedLayout& l, int64_t D, int64_t heads, bool causal, float dropout,
                       uint32_t seed, float* out, float* probs);
void attention_backward(const float* qkv, const float* probs, const float* dout, const PackedLayout& l, int64_t D,
                        int64_t heads, bool causal, float dropout, uint32_t seed, float* dqkv);

// ---- als.cu ---- (same contract as native/cpu/als.h; indptr, indices, values are host arrays)
void als_half_step(const int64_t* indptr, const int32_t* indices, const float* values, int64_t rows, const float* Y,
                   int64_t cols, float* X, int64_t K, float lambda, int cg_steps);

}  // namespace cuda
}  // namespace seqcore
