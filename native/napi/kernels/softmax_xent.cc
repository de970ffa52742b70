// JavaScript entry points of the softmax and softmax cross-entropy (native/cpu/softmax_xent.cc,
// native/cuda/softmax_xent.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// Targets must be classes or `ignore` (host memory only: the CUDA kernel faults instead).
void check_targets(const Args& a, const int32_t* t, int64_t N, int64_t C, int32_t ignore) {
  for (int64_t r = 0; r < N; ++r)
    if (t[r] != ignore && (t[r] < 0 || t[r] >= C))
      a.fail("target " + std::to_string(t[r]) + " at row " + std::to_string(r) + " is outside [0, " +
             std::to_string(C) + ")");
}

Napi::Value SoftmaxXent(Info info) {  // softmaxXent(logits, targets, lse, N, C, ignore, loss, count)
  Args a(info, "softmaxXent", 8);
  int64_t N = a.size(3, "N"), C = a.size(4, "C");
  int32_t ignore = static_cast<int32_t>(a.integer(5, "ignore"));
  const int32_t* t = a.buf<int32_t>(1, "targets", N);
  if (kHostMemory) check_targets(a, t, N, C, ignore);
  backend::softmax_xent(a.buf<float>(0, "logits", a.mul(N, C, "N × C")), t, a.buf<float>(2, "lse", N), N, C, ignore,
                        a.buf<float>(6, "loss", 1), a.buf<float>(7, "count", 1));
  return Undef(info);
}

// softmaxXentGrad(logits, targets, lse, count, dloss, dlogits, N, C, ignore)
Napi::Value SoftmaxXentGrad(Info info) {
  Args a(info, "softmaxXentGrad", 9);
  int64_t N = a.size(6, "N"), C = a.size(7, "C");
  int32_t ignore = static_cast<int32_t>(a.integer(8, "ignore"));
  const int32_t* t = a.buf<int32_t>(1, "targets", N);
  if (kHostMemory) check_targets(a, t, N, C, ignore);
  const int64_t n = a.mul(N, C, "N × C");
  backend::softmax_xent_grad(a.buf<float>(0, "logits", n), t, a.buf<float>(2, "lse", N), a.buf<float>(3, "count", 1),
                             a.buf<float>(4, "dloss", 1), a.buf<float>(5, "dlogits", n), N, C, ignore);
  return Undef(info);
}

Napi::Value Softmax(Info info) {  // softmax(x, y, N, C)
  Args a(info, "softmax", 4);
  int64_t N = a.size(2, "N"), C = a.size(3, "C"), n = a.mul(N, C, "N × C");
  backend::softmax_rows(a.buf<float>(0, "x", n), a.buf<float>(1, "y", n), N, C);
  return Undef(info);
}

Napi::Value SoftmaxGrad(Info info) {  // softmaxGrad(y, dy, dx, N, C)
  Args a(info, "softmaxGrad", 5);
  int64_t N = a.size(3, "N"), C = a.size(4, "C"), n = a.mul(N, C, "N × C");
  backend::softmax_rows_grad(a.buf<float>(0, "y", n), a.buf<float>(1, "dy", n), a.buf<float>(2, "dx", n), N, C);
  return Undef(info);
}

}  // namespace

void register_softmax_xent(Napi::Env env, Napi::Object exports) {
  export_fn<SoftmaxXent>(env, exports, "softmaxXent");
  export_fn<SoftmaxXentGrad>(env, exports, "softmaxXentGrad");
  export_fn<Softmax>(env, exports, "softmax");
  export_fn<SoftmaxGrad>(env, exports, "softmaxGrad");
}

}  // namespace seqcore
