// JavaScript entry points of the fused Adam step (native/cpu/adam.cc, native/cuda/adam.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// adamStep(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step, gradScale)
Napi::Value AdamStep(Info info) {
  Args a(info, "adamStep", 13);
  int64_t n = a.size(4, "n");
  AdamParams ap{static_cast<float>(a.num(5, "lr")), static_cast<float>(a.num(6, "beta1")),
                static_cast<float>(a.num(7, "beta2")), static_cast<float>(a.num(8, "eps")),
                static_cast<float>(a.num(9, "weightDecay")), a.flag(10, "decoupled"), a.size(11, "step"),
                static_cast<float>(a.num(12, "gradScale"))};
  if (ap.step < 1) a.fail("step must be ≥ 1");
  backend::adam_step(a.buf<float>(0, "p", n), a.buf<float>(1, "g", n), a.buf<float>(2, "m", n), a.buf<float>(3, "v", n), n, ap);
  return Undef(info);
}

}  // namespace

void register_adam(Napi::Env env, Napi::Object exports) {
  export_fn<AdamStep>(env, exports, "adamStep");
}

}  // namespace seqcore
