// JavaScript entry points of the CPU kernels. Each one checks its arguments (Args) against
// the buffers it will touch before calling the kernel.
#include <cstdint>
#include <string>
#include <vector>

#include "cpu/als.h"
#include "cpu/gemm.h"
#include "cpu/kernels.h"
#include "napi/args.h"
#include "napi/bindings.h"

namespace seqcore {
namespace {

using Info = const Napi::CallbackInfo&;

Napi::Value Undef(Info info) { return info.Env().Undefined(); }

// Elements a row-major rows×cols view with leading dimension ld spans (0 if empty).
int64_t span(const Args& a, int64_t rows, int64_t cols, int64_t ld, const char* name) {
  if (ld < cols) a.fail(std::string("leading dimension of '") + name + "' (" + std::to_string(ld) + ") is less than its " + std::to_string(cols) + " columns");
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
  sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  return Undef(info);
}

Napi::Value Binary(Info info) {  // binary(op, a, b, out, n)
  Args a(info, "binary", 5);
  int64_t op = a.size(0, "op"), n = a.size(4, "n");
  if (op > 2) a.fail("unknown binary op " + std::to_string(op));
  binary(static_cast<BinaryOp>(op), a.buf<float>(1, "a", n), a.buf<float>(2, "b", n), a.buf<float>(3, "out", n), n);
  return Undef(info);
}

Napi::Value Scale(Info info) {  // scale(x, s, out, n)
  Args a(info, "scale", 4);
  int64_t n = a.size(3, "n");
  scale(a.buf<float>(0, "x", n), static_cast<float>(a.num(1, "s")), a.buf<float>(2, "out", n), n);
  return Undef(info);
}

Napi::Value Axpy(Info info) {  // axpy(alpha, x, y, n): y += alpha·x
  Args a(info, "axpy", 4);
  int64_t n = a.size(3, "n");
  axpy(static_cast<float>(a.num(0, "alpha")), a.buf<float>(1, "x", n), a.buf<float>(2, "y", n), n);
  return Undef(info);
}

Napi::Value Fill(Info info) {  // fill(out, value, n)
  Args a(info, "fill", 3);
  int64_t n = a.size(2, "n");
  fill(a.buf<float>(0, "out", n), static_cast<float>(a.num(1, "value")), n);
  return Undef(info);
}

Napi::Value AddBias(Info info) {  // addBias(x, bias, out, rows, D)
  Args a(info, "addBias", 5);
  int64_t rows = a.size(3, "rows"), D = a.size(4, "D"), n = a.mul(rows, D, "rows × D");
  add_bias(a.buf<float>(0, "x", n), a.buf<float>(1, "bias", D), a.buf<float>(2, "out", n), rows, D);
  return Undef(info);
}

Napi::Value SumRows(Info info) {  // sumRows(x, out, rows, D)
  Args a(info, "sumRows", 4);
  int64_t rows = a.size(2, "rows"), D = a.size(3, "D");
  sum_rows(a.buf<float>(0, "x", a.mul(rows, D, "rows × D")), a.buf<float>(1, "out", D), rows, D);
  return Undef(info);
}

UnaryOp unary_op(const Args& a, size_t i) {
  int64_t op = a.size(i, "op");
  if (op > 3) a.fail("unknown unary op " + std::to_string(op));
  return static_cast<UnaryOp>(op);
}

Napi::Value Unary(Info info) {  // unary(op, x, y, n)
  Args a(info, "unary", 4);
  int64_t n = a.size(3, "n");
  unary(unary_op(a, 0), a.buf<float>(1, "x", n), a.buf<float>(2, "y", n), n);
  return Undef(info);
}

Napi::Value UnaryGrad(Info info) {  // unaryGrad(op, x, y, dy, dx, n)
  Args a(info, "unaryGrad", 6);
  int64_t n = a.size(5, "n");
  unary_grad(unary_op(a, 0), a.buf<float>(1, "x", n), a.buf<float>(2, "y", n), a.buf<float>(3, "dy", n),
             a.buf<float>(4, "dx", n), n);
  return Undef(info);
}

Napi::Value LayerNorm(Info info) {  // layernorm(x, gamma, beta, y, mean, rstd, rows, D, eps)
  Args a(info, "layernorm", 9);
  int64_t rows = a.size(6, "rows"), D = a.size(7, "D"), n = a.mul(rows, D, "rows × D");
  layernorm(a.buf<float>(0, "x", n), a.buf<float>(1, "gamma", D), a.buf<float>(2, "beta", D),
            a.buf<float>(3, "y", n), a.buf<float>(4, "mean", rows), a.buf<float>(5, "rstd", rows), rows, D,
            static_cast<float>(a.num(8, "eps")));
  return Undef(info);
}

Napi::Value LayerNormGrad(Info info) {  // layernormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, D)
  Args a(info, "layernormGrad", 10);
  int64_t rows = a.size(8, "rows"), D = a.size(9, "D"), n = a.mul(rows, D, "rows × D");
  layernorm_grad(a.buf<float>(0, "dy", n), a.buf<float>(1, "x", n), a.buf<float>(2, "gamma", D),
                 a.buf<float>(3, "mean", rows), a.buf<float>(4, "rstd", rows), a.buf<float>(5, "dx", n),
                 a.buf<float>(6, "dgamma", D), a.buf<float>(7, "dbeta", D), rows, D);
  return Undef(info);
}


Napi::Value Dropout(Info info) {  // dropout(x, y, mask, n, p, seed)
  Args a(info, "dropout", 6);
  int64_t n = a.size(3, "n");
  dropout(a.buf<float>(0, "x", n), a.buf<float>(1, "y", n), a.buf<uint8_t>(2, "mask", n), n, a.dropout(4, "p"),
          a.seed(5));
  return Undef(info);
}

Napi::Value DropoutGrad(Info info) {  // dropoutGrad(dy, mask, dx, n, p)
  Args a(info, "dropoutGrad", 5);
  int64_t n = a.size(3, "n");
  dropout_grad(a.buf<float>(0, "dy", n), a.buf<uint8_t>(1, "mask", n), a.buf<float>(2, "dx", n), n, a.dropout(4, "p"));
  return Undef(info);
}

void check_ids(const Args& a, const int32_t* ids, int64_t n, int64_t V) {
  int64_t bad = embedding_check_ids(ids, n, V);
  if (bad >= 0)
    a.fail("id " + std::to_string(ids[bad]) + " at index " + std::to_string(bad) + " is outside the table's " +
           std::to_string(V) + " rows");
}

Napi::Value EmbeddingGather(Info info) {  // embeddingGather(table, V, E, ids, n, out)
  Args a(info, "embeddingGather", 6);
  int64_t V = a.size(1, "V"), E = a.size(2, "E"), n = a.size(4, "n");
  const int32_t* ids = a.buf<int32_t>(3, "ids", n);
  check_ids(a, ids, n, V);
  embedding_gather(a.buf<float>(0, "table", a.mul(V, E, "V × E")), ids, a.buf<float>(5, "out", a.mul(n, E, "n × E")), n, E);
  return Undef(info);
}

Napi::Value EmbeddingScatterAdd(Info info) {  // embeddingScatterAdd(dy, ids, n, E, dtable, V)
  Args a(info, "embeddingScatterAdd", 6);
  int64_t n = a.size(2, "n"), E = a.size(3, "E"), V = a.size(5, "V");
  const int32_t* ids = a.buf<int32_t>(1, "ids", n);
  check_ids(a, ids, n, V);
  embedding_scatter_add(a.buf<float>(0, "dy", a.mul(n, E, "n × E")), ids, a.buf<float>(4, "dtable", a.mul(V, E, "V × E")), n, E);
  return Undef(info);
}

// Parts of concat/split: (ids array, widths array) → pointers, each part checked to hold
// rows × width floats; *total is the sum of the widths.
template <class P>
std::vector<P> parts(const Args& a, Info info, size_t ids_i, size_t widths_i, int64_t rows,
                     std::vector<int64_t>& widths, int64_t* total) {
  if (!info[ids_i].IsArray() || !info[widths_i].IsArray()) a.fail("parts and widths must be arrays");
  auto ids = info[ids_i].As<Napi::Array>();
  auto ws = info[widths_i].As<Napi::Array>();
  if (ids.Length() != ws.Length() || ids.Length() == 0) a.fail("parts and widths must be non-empty and of equal length");
  std::vector<P> ptrs;
  *total = 0;
  for (uint32_t p = 0; p < ids.Length(); ++p) {
    Napi::Value idv = ids[p], wv = ws[p];
    if (!idv.IsNumber() || !wv.IsNumber()) a.fail("part " + std::to_string(p) + " is not a (storage id, width) pair");
    double w = wv.As<Napi::Number>().DoubleValue();
    if (!Args::is_size(w)) a.fail("width of part " + std::to_string(p) + " must be a non-negative integer");
    widths.push_back(static_cast<int64_t>(w));
    *total = a.add(*total, widths.back(), "sum of widths");
    const StorageEntry* e = a.storage(idv.As<Napi::Number>().DoubleValue(), "parts", p, a.mul(rows, widths.back(), "rows × width"), 4);
    ptrs.push_back(static_cast<P>(e->ptr));
  }
  return ptrs;
}

Napi::Value Concat(Info info) {  // concat(partIds, widths, out, rows)
  Args a(info, "concat", 4);
  int64_t rows = a.size(3, "rows");
  std::vector<int64_t> w;
  int64_t width;
  auto ps = parts<const float*>(a, info, 0, 1, rows, w, &width);
  concat_last(ps.data(), w.data(), static_cast<int64_t>(w.size()), a.buf<float>(2, "out", a.mul(rows, width, "rows × width")), rows);
  return Undef(info);
}

Napi::Value Split(Info info) {  // split(x, partIds, widths, rows)
  Args a(info, "split", 4);
  int64_t rows = a.size(3, "rows");
  std::vector<int64_t> w;
  int64_t width;
  auto ps = parts<float*>(a, info, 1, 2, rows, w, &width);
  split_last(a.buf<float>(0, "x", a.mul(rows, width, "rows × width")), ps.data(), w.data(), static_cast<int64_t>(w.size()), rows);
  return Undef(info);
}

Napi::Value Sum(Info info) {  // sum(x, n) → number
  Args a(info, "sum", 2);
  int64_t n = a.size(1, "n");
  return Napi::Number::New(info.Env(), sum(a.buf<float>(0, "x", n), n));
}

Napi::Value SumSquares(Info info) {  // sumSquares(x, n) → number
  Args a(info, "sumSquares", 2);
  int64_t n = a.size(1, "n");
  return Napi::Number::New(info.Env(), sum_squares(a.buf<float>(0, "x", n), n));
}

Napi::Value FirstNonFinite(Info info) {  // firstNonFinite(x, n) → index or -1
  Args a(info, "firstNonFinite", 2);
  int64_t n = a.size(1, "n");
  return Napi::Number::New(info.Env(), static_cast<double>(first_non_finite(a.buf<float>(0, "x", n), n)));
}

void check_targets(const Args& a, const int32_t* t, int64_t N, int64_t C, int32_t ignore) {
  for (int64_t r = 0; r < N; ++r)
    if (t[r] != ignore && (t[r] < 0 || t[r] >= C))
      a.fail("target " + std::to_string(t[r]) + " at row " + std::to_string(r) + " is outside [0, " + std::to_string(C) + ")");
}

Napi::Value SoftmaxXent(Info info) {  // softmaxXent(logits, targets, lse, N, C, ignore) → {loss, count}
  Args a(info, "softmaxXent", 6);
  int64_t N = a.size(3, "N"), C = a.size(4, "C");
  int32_t ignore = static_cast<int32_t>(a.integer(5, "ignore"));
  const int32_t* t = a.buf<int32_t>(1, "targets", N);
  check_targets(a, t, N, C, ignore);
  int64_t count = 0;
  double loss = softmax_xent(a.buf<float>(0, "logits", a.mul(N, C, "N × C")), t, a.buf<float>(2, "lse", N), N, C, ignore, &count);
  auto o = Napi::Object::New(info.Env());
  o.Set("loss", loss);
  o.Set("count", static_cast<double>(count));
  return o;
}

Napi::Value SoftmaxXentGrad(Info info) {  // softmaxXentGrad(logits, targets, lse, dlogits, N, C, ignore, scale)
  Args a(info, "softmaxXentGrad", 8);
  int64_t N = a.size(4, "N"), C = a.size(5, "C");
  int32_t ignore = static_cast<int32_t>(a.integer(6, "ignore"));
  const int32_t* t = a.buf<int32_t>(1, "targets", N);
  check_targets(a, t, N, C, ignore);
  const int64_t n = a.mul(N, C, "N × C");
  softmax_xent_grad(a.buf<float>(0, "logits", n), t, a.buf<float>(2, "lse", N), a.buf<float>(3, "dlogits", n),
                    N, C, ignore, static_cast<float>(a.num(7, "scale")));
  return Undef(info);
}

Napi::Value Softmax(Info info) {  // softmax(x, y, N, C)
  Args a(info, "softmax", 4);
  int64_t N = a.size(2, "N"), C = a.size(3, "C"), n = a.mul(N, C, "N × C");
  softmax_rows(a.buf<float>(0, "x", n), a.buf<float>(1, "y", n), N, C);
  return Undef(info);
}

Napi::Value SoftmaxGrad(Info info) {  // softmaxGrad(y, dy, dx, N, C)
  Args a(info, "softmaxGrad", 5);
  int64_t N = a.size(3, "N"), C = a.size(4, "C"), n = a.mul(N, C, "N × C");
  softmax_rows_grad(a.buf<float>(0, "y", n), a.buf<float>(1, "dy", n), a.buf<float>(2, "dx", n), N, C);
  return Undef(info);
}

Napi::Value SquaredError(Info info) {  // squaredError(a, b, n) → Σ(a-b)²
  Args a(info, "squaredError", 3);
  int64_t n = a.size(2, "n");
  return Napi::Number::New(info.Env(), squared_error(a.buf<float>(0, "a", n), a.buf<float>(1, "b", n), n));
}

Napi::Value SquaredErrorGrad(Info info) {  // squaredErrorGrad(a, b, da|null, db|null, n, scale)
  Args a(info, "squaredErrorGrad", 6);
  int64_t n = a.size(4, "n");
  squared_error_grad(a.buf<float>(0, "a", n), a.buf<float>(1, "b", n), a.buf_or_null<float>(2, "da", n),
                     a.buf_or_null<float>(3, "db", n), n, static_cast<float>(a.num(5, "scale")));
  return Undef(info);
}

Napi::Value Cosine(Info info) {  // cosine(a, b, out, N, D, eps)
  Args a(info, "cosine", 6);
  int64_t N = a.size(3, "N"), D = a.size(4, "D"), n = a.mul(N, D, "N × D");
  cosine(a.buf<float>(0, "a", n), a.buf<float>(1, "b", n), a.buf<float>(2, "out", N), N, D,
         static_cast<float>(a.num(5, "eps")));
  return Undef(info);
}

Napi::Value CosineGrad(Info info) {  // cosineGrad(a, b, dout, da|null, db|null, N, D, eps)
  Args a(info, "cosineGrad", 8);
  int64_t N = a.size(5, "N"), D = a.size(6, "D"), n = a.mul(N, D, "N × D");
  cosine_grad(a.buf<float>(0, "a", n), a.buf<float>(1, "b", n), a.buf<float>(2, "dout", N),
              a.buf_or_null<float>(3, "da", n), a.buf_or_null<float>(4, "db", n), N, D,
              static_cast<float>(a.num(7, "eps")));
  return Undef(info);
}

Napi::Value BceLogits(Info info) {  // bceLogits(x, y, n) → Σ loss
  Args a(info, "bceLogits", 3);
  int64_t n = a.size(2, "n");
  return Napi::Number::New(info.Env(), bce_logits(a.buf<float>(0, "x", n), a.buf<float>(1, "y", n), n));
}

Napi::Value BceLogitsGrad(Info info) {  // bceLogitsGrad(x, y, dx, n, scale)
  Args a(info, "bceLogitsGrad", 5);
  int64_t n = a.size(3, "n");
  bce_logits_grad(a.buf<float>(0, "x", n), a.buf<float>(1, "y", n), a.buf<float>(2, "dx", n), n, static_cast<float>(a.num(4, "scale")));
  return Undef(info);
}

// adamStep(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step, gradScale)
Napi::Value AdamStep(Info info) {
  Args a(info, "adamStep", 13);
  int64_t n = a.size(4, "n");
  AdamParams ap{static_cast<float>(a.num(5, "lr")), static_cast<float>(a.num(6, "beta1")),
                static_cast<float>(a.num(7, "beta2")), static_cast<float>(a.num(8, "eps")),
                static_cast<float>(a.num(9, "weightDecay")), a.flag(10, "decoupled"), a.size(11, "step"),
                static_cast<float>(a.num(12, "gradScale"))};
  if (ap.step < 1) a.fail("step must be ≥ 1");
  adam_step(a.buf<float>(0, "p", n), a.buf<float>(1, "g", n), a.buf<float>(2, "m", n), a.buf<float>(3, "v", n), n, ap);
  return Undef(info);
}

// alsHalfStep(indptr: BigInt64Array, indices: Int32Array, values: Float32Array, rows,
//             Y, cols, X, K, lambda, cgSteps): X (rows×K) updated in place against Y (cols×K).
Napi::Value AlsHalfStep(Info info) {
  Args a(info, "alsHalfStep", 10);
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_bigint64_array) a.fail("argument 'indptr' must be a BigInt64Array");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) a.fail("argument 'indices' must be an Int32Array");
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) a.fail("argument 'values' must be a Float32Array");
  int64_t rows = a.size(3, "rows"), cols = a.size(5, "cols"), K = a.size(7, "K"), steps = a.size(9, "cgSteps");
  if (steps > INT32_MAX) a.fail("cgSteps must be at most " + std::to_string(INT32_MAX));
  auto indptr_a = info[0].As<Napi::BigInt64Array>();
  auto indices_a = info[1].As<Napi::Int32Array>();
  auto values_a = info[2].As<Napi::Float32Array>();
  const int64_t* indptr = indptr_a.Data();
  const int32_t* indices = indices_a.Data();
  const float* values = values_a.Data();
  if (indptr_a.ElementLength() != static_cast<size_t>(a.add(rows, 1, "rows + 1"))) a.fail("indptr must hold rows + 1 offsets");
  const int64_t nnz = indptr[rows];
  if (indptr[0] != 0 || nnz < 0 || indices_a.ElementLength() != static_cast<size_t>(nnz) || values_a.ElementLength() != static_cast<size_t>(nnz))
    a.fail("indptr must start at 0 and end at the number of indices and values");
  for (int64_t i = 0; i < rows; ++i)
    if (indptr[i + 1] < indptr[i]) a.fail("indptr must be non-decreasing (row " + std::to_string(i) + ")");
  for (int64_t n = 0; n < nnz; ++n) {
    if (indices[n] < 0 || indices[n] >= cols) a.fail("column index " + std::to_string(indices[n]) + " at entry " + std::to_string(n) + " is outside [0, " + std::to_string(cols) + ")");
    if (!(values[n] >= 0)) a.fail("value at entry " + std::to_string(n) + " must be ≥ 0");
  }
  const float* Y = a.buf<float>(4, "Y", a.mul(cols, K, "cols × K"));
  float* X = a.buf<float>(6, "X", a.mul(rows, K, "rows × K"));
  a.mul(K, K, "K × K");  // the size of the Gram matrix the kernel allocates
  als_half_step(indptr, indices, values, rows, Y, cols, X, K,
                static_cast<float>(a.num(8, "lambda")), static_cast<int>(steps));
  return Undef(info);
}

// cast(kind, x, y, n): kind is "f32>f16", "f16>f32", "i32>f32", "i64>i32" or "i32>i64".
Napi::Value Cast(Info info) {
  Args a(info, "cast", 4);
  if (!info[0].IsString()) a.fail("argument 'kind' must be a string");
  std::string kind = info[0].As<Napi::String>();
  int64_t n = a.size(3, "n");
  if (kind == "f32>f16") cast_f32_f16(a.buf<float>(1, "x", n), a.buf<uint16_t>(2, "y", n), n);
  else if (kind == "f16>f32") cast_f16_f32(a.buf<uint16_t>(1, "x", n), a.buf<float>(2, "y", n), n);
  else if (kind == "i32>f32") cast_i32_f32(a.buf<int32_t>(1, "x", n), a.buf<float>(2, "y", n), n);
  else if (kind == "i32>i64") cast_i32_i64(a.buf<int32_t>(1, "x", n), a.buf<int64_t>(2, "y", n), n);
  else if (kind == "i64>i32") {
    const int64_t* x = a.buf<int64_t>(1, "x", n);
    int64_t bad = cast_i64_i32(x, a.buf<int32_t>(2, "y", n), n);
    if (bad >= 0) a.fail("value " + std::to_string(x[bad]) + " at index " + std::to_string(bad) + " does not fit in int32");
  } else a.fail("unknown cast '" + kind + "'");
  return Undef(info);
}

}  // namespace

void register_kernels(Napi::Env env, Napi::Object exports) {
  export_fn<Gemm>(env, exports, "gemm");
  export_fn<Binary>(env, exports, "binary");
  export_fn<Scale>(env, exports, "scale");
  export_fn<Axpy>(env, exports, "axpy");
  export_fn<Fill>(env, exports, "fill");
  export_fn<AddBias>(env, exports, "addBias");
  export_fn<SumRows>(env, exports, "sumRows");
  export_fn<Unary>(env, exports, "unary");
  export_fn<UnaryGrad>(env, exports, "unaryGrad");
  export_fn<LayerNorm>(env, exports, "layernorm");
  export_fn<LayerNormGrad>(env, exports, "layernormGrad");
  export_fn<Dropout>(env, exports, "dropout");
  export_fn<DropoutGrad>(env, exports, "dropoutGrad");
  export_fn<EmbeddingGather>(env, exports, "embeddingGather");
  export_fn<EmbeddingScatterAdd>(env, exports, "embeddingScatterAdd");
  export_fn<Concat>(env, exports, "concat");
  export_fn<Split>(env, exports, "split");
  export_fn<Sum>(env, exports, "sum");
  export_fn<SumSquares>(env, exports, "sumSquares");
  export_fn<FirstNonFinite>(env, exports, "firstNonFinite");
  export_fn<SoftmaxXent>(env, exports, "softmaxXent");
  export_fn<Softmax>(env, exports, "softmax");
  export_fn<SoftmaxGrad>(env, exports, "softmaxGrad");
  export_fn<SoftmaxXentGrad>(env, exports, "softmaxXentGrad");
  export_fn<SquaredError>(env, exports, "squaredError");
  export_fn<SquaredErrorGrad>(env, exports, "squaredErrorGrad");
  export_fn<Cosine>(env, exports, "cosine");
  export_fn<CosineGrad>(env, exports, "cosineGrad");
  export_fn<AdamStep>(env, exports, "adamStep");
  export_fn<BceLogits>(env, exports, "bceLogits");
  export_fn<AlsHalfStep>(env, exports, "alsHalfStep");
  export_fn<BceLogitsGrad>(env, exports, "bceLogitsGrad");
  export_fn<Cast>(env, exports, "cast");
}

}  // namespace seqcore
