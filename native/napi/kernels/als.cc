// JavaScript entry points of the implicit-ALS half step (native/cpu/als.cc, native/cuda/als.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// alsHalfStep(indptr: BigInt64Array, indices: Int32Array, values: Float32Array, rows,
//             Y, cols, X, K, lambda, cgSteps): X (rows×K) updated in place against Y (cols×K).
Napi::Value AlsHalfStep(Info info) {
  Args a(info, "alsHalfStep", 10);
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_bigint64_array)
    a.fail("argument 'indptr' must be a BigInt64Array");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    a.fail("argument 'indices' must be an Int32Array");
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    a.fail("argument 'values' must be a Float32Array");
  int64_t rows = a.size(3, "rows"), cols = a.size(5, "cols"), K = a.size(7, "K"), steps = a.size(9, "cgSteps");
  if (steps > INT32_MAX) a.fail("cgSteps must be at most " + std::to_string(INT32_MAX));
  auto indptr_a = info[0].As<Napi::BigInt64Array>();
  auto indices_a = info[1].As<Napi::Int32Array>();
  auto values_a = info[2].As<Napi::Float32Array>();
  const int64_t* indptr = indptr_a.Data();
  const int32_t* indices = indices_a.Data();
  const float* values = values_a.Data();
  if (indptr_a.ElementLength() != static_cast<size_t>(a.add(rows, 1, "rows + 1")))
    a.fail("indptr must hold rows + 1 offsets");
  const int64_t nnz = indptr[rows];
  if (indptr[0] != 0 || nnz < 0 || indices_a.ElementLength() != static_cast<size_t>(nnz) ||
      values_a.ElementLength() != static_cast<size_t>(nnz))
    a.fail("indptr must start at 0 and end at the number of indices and values");
  for (int64_t i = 0; i < rows; ++i)
    if (indptr[i + 1] < indptr[i]) a.fail("indptr must be non-decreasing (row " + std::to_string(i) + ")");
  for (int64_t n = 0; n < nnz; ++n) {
    if (indices[n] < 0 || indices[n] >= cols)
      a.fail("column index " + std::to_string(indices[n]) + " at entry " + std::to_string(n) + " is outside [0, " +
             std::to_string(cols) + ")");
    if (!(values[n] >= 0)) a.fail("value at entry " + std::to_string(n) + " must be ≥ 0");
  }
  const float* Y = a.buf<float>(4, "Y", a.mul(cols, K, "cols × K"));
  float* X = a.buf<float>(6, "X", a.mul(rows, K, "rows × K"));
  a.mul(K, K, "K × K");  // the size of the Gram matrix the kernel allocates
  backend::als_half_step(indptr, indices, values, rows, Y, cols, X, K, static_cast<float>(a.num(8, "lambda")),
                         static_cast<int>(steps));
  return Undef(info);
}

}  // namespace

void register_als(Napi::Env env, Napi::Object exports) { export_fn<AlsHalfStep>(env, exports, "alsHalfStep"); }

}  // namespace seqcore
