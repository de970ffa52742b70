// JavaScript entry points of the dropout (native/cpu/dropout.cc, native/cuda/dropout.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

Napi::Value Dropout(Info info) {  // backend::dropout(x, y, mask, n, p, seed)
  Args a(info, "dropout", 6);
  int64_t n = a.size(3, "n");
  backend::dropout(a.buf<float>(0, "x", n), a.buf<float>(1, "y", n), a.buf<uint8_t>(2, "mask", n), n, a.dropout(4, "p"),
                   a.seed(5));
  return Undef(info);
}

Napi::Value DropoutGrad(Info info) {  // dropoutGrad(dy, mask, dx, n, p)
  Args a(info, "dropoutGrad", 5);
  int64_t n = a.size(3, "n");
  backend::dropout_grad(a.buf<float>(0, "dy", n), a.buf<uint8_t>(1, "mask", n), a.buf<float>(2, "dx", n), n,
                        a.dropout(4, "p"));
  return Undef(info);
}

}  // namespace

void register_dropout(Napi::Env env, Napi::Object exports) {
  export_fn<Dropout>(env, exports, "dropout");
  export_fn<DropoutGrad>(env, exports, "dropoutGrad");
}

}  // namespace seqcore
