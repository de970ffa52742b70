// Every CPU kernel of seqcore except SGEMM (gemm.h): plain functions on raw pointers and
// sizes. Callers (native/napi) validate pointers and sizes; these do no checking.
// Shapes: row-major; "rows × D" means a 2-D view of a tensor whose last axis is D.
#pragma once
#include <cstdint>

#include "common/device_math.h"  // dropout_uniform, f32_to_f16, f16_to_f32
#include "common/kernel_types.h"

namespace seqcore {

// ---- elementwise.cc ----
void binary(BinaryOp op, const float* a, const float* b, float* out, int64_t n);
void scale(const float* x, float s, float* out, int64_t n);
void axpy(float alpha, const float* x, float* y, int64_t n);  // y += alpha·x
void fill(float* out, float value, int64_t n);
void broadcast_scalar(const float* g, float s, float* out, int64_t n);  // out = s·g[0]
// out (rows×D) = x (rows×D) + bias (D)
void add_bias(const float* x, const float* bias, float* out, int64_t rows, int64_t D);
// out (D) = Σ_rows x (rows×D), float64 accumulation
void sum_rows(const float* x, float* out, int64_t rows, int64_t D);
void unary(UnaryOp op, const float* x, float* y, int64_t n);
// dx = dy · f'(x); sigmoid and tanh use y = f(x), relu and gelu use x
void unary_grad(UnaryOp op, const float* x, const float* y, const float* dy, float* dx, int64_t n);

// ---- layernorm.cc ----  x, y: rows×D; gamma, beta: D; mean, rstd: rows
void layernorm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd, int64_t rows,
               int64_t D, float eps);
// dx (rows×D) written; dgamma, dbeta (D) written (not accumulated)
void layernorm_grad(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                    float* dx, float* dgamma, float* dbeta, int64_t rows, int64_t D);

// ---- dropout.cc ----  keep element i iff uniform(seed, i) >= p; y = x·keep/(1-p)
void dropout(const float* x, float* y, uint8_t* mask, int64_t n, float p, uint32_t seed);
void dropout_grad(const float* dy, const uint8_t* mask, float* dx, int64_t n, float p);

// ---- embedding.cc ----  table: V×E; ids: n; out: n×E
// V is unused here (the bindings check the ids first); the CUDA kernels check on the device.
void embedding_gather(const float* table, int64_t V, const int32_t* ids, float* out, int64_t n, int64_t E);
// dtable (V×E) += scatter of dy (n×E) by ids; threads split E, so repeated ids are safe.
void embedding_scatter_add(const float* dy, const int32_t* ids, float* dtable, int64_t n, int64_t E, int64_t V);

// ---- concat.cc ----  parts[p]: rows×widths[p]; out: rows×Σwidths
void concat_last(const float* const* parts, const int64_t* widths, int64_t count, float* out, int64_t rows);
void split_last(const float* x, float* const* parts, const int64_t* widths, int64_t count, int64_t rows);

// ---- reduce.cc ----  float64 accumulation; out: one float
void sum(const float* x, int64_t n, float* out);
void sum_squares(const float* x, int64_t n, float* out);
// Index of the first NaN or ±Inf, or -1.
int64_t first_non_finite(const float* x, int64_t n);

// ---- softmax_xent.cc ----  logits: N×C; targets: N; lse: N (log-sum-exp, saved for grad)
// loss[0] = mean over rows with target != ignore of (lse - logit[target]) (0 if none);
// count[0] = such rows.
void softmax_xent(const float* logits, const int32_t* targets, float* lse, int64_t N, int64_t C, int32_t ignore,
                  float* loss, float* count);
// dlogits = dloss[0]/count[0]·(softmax(logits) - onehot(target)); zero rows where target == ignore.
void softmax_xent_grad(const float* logits, const int32_t* targets, const float* lse, const float* count,
                       const float* dloss, float* dlogits, int64_t N, int64_t C, int32_t ignore);

// y (N×C) = softmax of each row of x (finite x); dx = y·(dy − Σ y·dy)
void softmax_rows(const float* x, float* y, int64_t N, int64_t C);
void softmax_rows_grad(const float* y, const float* dy, float* dx, int64_t N, int64_t C);

// ---- losses.cc ----
void mse(const float* a, const float* b, int64_t n, float* out);  // mean (a-b)², 0 if n = 0
// da = dout[0]/n·2(a-b), db = -da; either output may be null
void mse_grad(const float* a, const float* b, const float* dout, float* da, float* db, int64_t n);
// out[i] = a_i·b_i / (max(|a_i|, eps)·max(|b_i|, eps)); a, b: N×D
void cosine(const float* a, const float* b, float* out, int64_t N, int64_t D, float eps);
void cosine_grad(const float* a, const float* b, const float* dout, float* da, float* db, int64_t N, int64_t D,
                 float eps);

// Mean of the binary cross-entropy with logits: max(x,0) − x·y + log(1 + e^−|x|), y in [0, 1].
void bce_logits(const float* x, const float* y, int64_t n, float* out);
// dx = dout[0]/n·(σ(x) − y)
void bce_logits_grad(const float* x, const float* y, const float* dout, float* dx, int64_t n);

// ---- adam.cc ----  (the math: common/adam_math.h)
// ss: k floats (each gradient's Σ g²) → out (2 floats) = [norm, clip factor]: norm = √Σ ss in
// float64; factor = max_norm/(norm + 1e-6) when norm > max_norm (max_norm may be ∞), else 1;
// NaN when the norm is not finite.
void grad_clip(const float* ss, int64_t k, double max_norm, float* out);
// One fused step of Adam (decoupled = false) or AdamW (decoupled = true) on each of the count
// tensors p[t], g[t], m[t], v[t] of n[t] floats, in place on p, m, v, with g scaled by clip[1]
// (grad_clip's factor); nothing is written when clip[1] is not finite.
void adam_steps(float* const* p, const float* const* g, float* const* m, float* const* v, const int64_t* n,
                int64_t count, const AdamParams& a, const float* clip);

// ---- cast.cc ----
void cast_f32_f16(const float* x, uint16_t* y, int64_t n);
void cast_f16_f32(const uint16_t* x, float* y, int64_t n);
void cast_i32_f32(const int32_t* x, float* y, int64_t n);
// Returns the index of the first value outside int32's range, or -1 (nothing written then).
int64_t cast_i64_i32(const int64_t* x, int32_t* y, int64_t n);
void cast_i32_i64(const int32_t* x, int64_t* y, int64_t n);

}  // namespace seqcore
