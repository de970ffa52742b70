// JavaScript entry points of the layer norm (native/cpu/layernorm.cc, native/cuda/layernorm.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

Napi::Value LayerNorm(Info info) {  // backend::layernorm(x, gamma, beta, y, mean, rstd, rows, D, eps)
  Args a(info, "layernorm", 9);
  int64_t rows = a.size(6, "rows"), D = a.size(7, "D"), n = a.mul(rows, D, "rows × D");
  backend::layernorm(a.buf<float>(0, "x", n), a.buf<float>(1, "gamma", D), a.buf<float>(2, "beta", D),
                     a.buf<float>(3, "y", n), a.buf<float>(4, "mean", rows), a.buf<float>(5, "rstd", rows), rows, D,
                     static_cast<float>(a.num(8, "eps")));
  return Undef(info);
}

Napi::Value LayerNormGrad(Info info) {  // layernormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, D)
  Args a(info, "layernormGrad", 10);
  int64_t rows = a.size(8, "rows"), D = a.size(9, "D"), n = a.mul(rows, D, "rows × D");
  backend::layernorm_grad(a.buf<float>(0, "dy", n), a.buf<float>(1, "x", n), a.buf<float>(2, "gamma", D),
                          a.buf<float>(3, "mean", rows), a.buf<float>(4, "rstd", rows), a.buf<float>(5, "dx", n),
                          a.buf<float>(6, "dgamma", D), a.buf<float>(7, "dbeta", D), rows, D);
  return Undef(info);
}

}  // namespace

void register_layernorm(Napi::Env env, Napi::Object exports) {
  export_fn<LayerNorm>(env, exports, "layernorm");
  export_fn<LayerNormGrad>(env, exports, "layernormGrad");
}

}  // namespace seqcore
