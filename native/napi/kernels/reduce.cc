// JavaScript entry points of the reductions (native/cpu/reduce.cc, native/cuda/reduce.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

Napi::Value Sum(Info info) {  // sum(x, n, out): out[0] = Σ x
  Args a(info, "sum", 3);
  int64_t n = a.size(1, "n");
  backend::sum(a.buf<float>(0, "x", n), n, a.buf<float>(2, "out", 1));
  return Undef(info);
}

Napi::Value SumSquares(Info info) {  // sumSquares(x, n, out): out[0] = Σ x²
  Args a(info, "sumSquares", 3);
  int64_t n = a.size(1, "n");
  backend::sum_squares(a.buf<float>(0, "x", n), n, a.buf<float>(2, "out", 1));
  return Undef(info);
}

Napi::Value FirstNonFinite(Info info) {  // firstNonFinite(x, n) → index or -1
  Args a(info, "firstNonFinite", 2);
  int64_t n = a.size(1, "n");
  return Napi::Number::New(info.Env(), static_cast<double>(backend::first_non_finite(a.buf<float>(0, "x", n), n)));
}

}  // namespace

void register_reduce(Napi::Env env, Napi::Object exports) {
  export_fn<Sum>(env, exports, "sum");
  export_fn<SumSquares>(env, exports, "sumSquares");
  export_fn<FirstNonFinite>(env, exports, "firstNonFinite");
}

}  // namespace seqcore
