// JavaScript entry points of the losses (MSE, cosine, BCE) (native/cpu/losses.cc, native/cuda/losses.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

Napi::Value Mse(Info info) {  // mse(a, b, n, out): out[0] = mean (a − b)²
  Args a(info, "mse", 4);
  int64_t n = a.size(2, "n");
  backend::mse(a.buf<float>(0, "a", n), a.buf<float>(1, "b", n), n, a.buf<float>(3, "out", 1));
  return Undef(info);
}

Napi::Value MseGrad(Info info) {  // mseGrad(a, b, dout, da|null, db|null, n)
  Args a(info, "mseGrad", 6);
  int64_t n = a.size(5, "n");
  backend::mse_grad(a.buf<float>(0, "a", n), a.buf<float>(1, "b", n), a.buf<float>(2, "dout", 1),
                    a.buf_or_null<float>(3, "da", n), a.buf_or_null<float>(4, "db", n), n);
  return Undef(info);
}

Napi::Value Cosine(Info info) {  // backend::cosine(a, b, out, N, D, eps)
  Args a(info, "cosine", 6);
  int64_t N = a.size(3, "N"), D = a.size(4, "D"), n = a.mul(N, D, "N × D");
  backend::cosine(a.buf<float>(0, "a", n), a.buf<float>(1, "b", n), a.buf<float>(2, "out", N), N, D,
                  static_cast<float>(a.num(5, "eps")));
  return Undef(info);
}

Napi::Value CosineGrad(Info info) {  // cosineGrad(a, b, dout, da|null, db|null, N, D, eps)
  Args a(info, "cosineGrad", 8);
  int64_t N = a.size(5, "N"), D = a.size(6, "D"), n = a.mul(N, D, "N × D");
  backend::cosine_grad(a.buf<float>(0, "a", n), a.buf<float>(1, "b", n), a.buf<float>(2, "dout", N),
                       a.buf_or_null<float>(3, "da", n), a.buf_or_null<float>(4, "db", n), N, D,
                       static_cast<float>(a.num(7, "eps")));
  return Undef(info);
}

Napi::Value BceLogits(Info info) {  // bceLogits(x, y, n, out): out[0] = mean loss
  Args a(info, "bceLogits", 4);
  int64_t n = a.size(2, "n");
  backend::bce_logits(a.buf<float>(0, "x", n), a.buf<float>(1, "y", n), n, a.buf<float>(3, "out", 1));
  return Undef(info);
}

Napi::Value BceLogitsGrad(Info info) {  // bceLogitsGrad(x, y, dout, dx, n)
  Args a(info, "bceLogitsGrad", 5);
  int64_t n = a.size(4, "n");
  backend::bce_logits_grad(a.buf<float>(0, "x", n), a.buf<float>(1, "y", n), a.buf<float>(2, "dout", 1),
                           a.buf<float>(3, "dx", n), n);
  return Undef(info);
}

}  // namespace

void register_losses(Napi::Env env, Napi::Object exports) {
  export_fn<Mse>(env, exports, "mse");
  export_fn<MseGrad>(env, exports, "mseGrad");
  export_fn<Cosine>(env, exports, "cosine");
  export_fn<CosineGrad>(env, exports, "cosineGrad");
  export_fn<BceLogits>(env, exports, "bceLogits");
  export_fn<BceLogitsGrad>(env, exports, "bceLogitsGrad");
}

}  // namespace seqcore
