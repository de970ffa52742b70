// Adam / AdamW step, the CUDA side of native/cpu/adam.cc: the step's scalars are computed on
// the host by the CPU's code, and each element's update is the CPU's float formula with
// every operation rounded on its own (__fmul_rn & co.: no FMA contraction, as the CPU build,
// baseline x86-64, never fuses), so p, m and v come out bit for bit the CPU's.
#include <cmath>

#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

struct AdamScalars {
  float beta1, beta2, one_minus_beta1, one_minus_beta2, eps, grad_scale;
  float step_size, inv_sqrt_bc2, decay, l2;
};

// 1-D: kThreads per block, grid_for(n) blocks, grid-stride over the n parameters.
__global__ void __launch_bounds__(kThreads)
adam_kernel(float* p, const float* g, float* m, float* v, int64_t n, AdamScalars s) {
  for (int64_t i = global_index(); i < n; i += global_stride()) {
    const float pi = p[i];
    const float gi = __fadd_rn(__fmul_rn(g[i], s.grad_scale), __fmul_rn(s.l2, pi));
    const float mi = __fadd_rn(__fmul_rn(s.beta1, m[i]), __fmul_rn(s.one_minus_beta1, gi));
    const float vi = __fadd_rn(__fmul_rn(s.beta2, v[i]), __fmul_rn(__fmul_rn(s.one_minus_beta2, gi), gi));
    m[i] = mi;
    v[i] = vi;
    const float denom = __fadd_rn(__fmul_rn(__fsqrt_rn(vi), s.inv_sqrt_bc2), s.eps);
    p[i] = __fsub_rn(__fmul_rn(pi, s.decay), __fdiv_rn(__fmul_rn(s.step_size, mi), denom));
  }
}

}  // namespace

void adam_step(float* p, const float* g, float* m, float* v, int64_t n, const AdamParams& a) {
  if (n <= 0) return;
  // As native/cpu/adam.cc, on the host.
  const float bc1 = 1.f - static_cast<float>(std::pow(a.beta1, a.step));
  const float bc2 = 1.f - static_cast<float>(std::pow(a.beta2, a.step));
  AdamScalars s;
  s.beta1 = a.beta1;
  s.beta2 = a.beta2;
  s.one_minus_beta1 = 1.f - a.beta1;
  s.one_minus_beta2 = 1.f - a.beta2;
  s.eps = a.eps;
  s.grad_scale = a.grad_scale;
  s.step_size = a.lr / bc1;
  s.inv_sqrt_bc2 = 1.f / std::sqrt(bc2);
  s.decay = a.decoupled ? 1.f - a.lr * a.weight_decay : 1.f;
  s.l2 = a.decoupled ? 0.f : a.weight_decay;
  adam_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(p, g, m, v, n, s);
  check_launch("adam_step");
}

}  // namespace cuda
}  // namespace seqcore
