// JavaScript entry points of the optimizer kernels (native/cpu/adam.cc, native/cuda/adam.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// Argument i: an array of sizes, whose total must fit in int64 too (the kernels add them up).
std::vector<int64_t> sizes(const Args& a, Info info, size_t i, const char* name) {
  if (!info[i].IsArray()) a.fail(std::string("argument '") + name + "' must be an array of sizes");
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out;
  int64_t total = 0;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr[k];
    const double x = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!Args::is_size(x)) a.fail(std::string(name) + "[" + std::to_string(k) + "] must be a non-negative integer");
    out.push_back(static_cast<int64_t>(x));
    total = a.add(total, out.back(), "the sum of the sizes");
  }
  return out;
}

// gradClip(sumsOfSquares, k, maxNorm, out): sumsOfSquares k floats, out 2 floats [norm, factor];
// maxNorm ≥ 0, Infinity for no clipping.
Napi::Value GradClip(Info info) {
  Args a(info, "gradClip", 4);
  const int64_t k = a.size(1, "k");
  const double max_norm = info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : -1;
  if (!(max_norm >= 0)) a.fail("argument 'maxNorm' must be a number ≥ 0 (Infinity: no clipping)");
  backend::grad_clip(a.buf<float>(0, "sumsOfSquares", k), k, max_norm, a.buf<float>(3, "out", 2));
  return Undef(info);
}

// adamSteps(params[], grads[], ms[], vs[], n[], lr, beta1, beta2, eps, weightDecay, decoupled,
//           step, clip): tensor t is params[t], grads[t], ms[t], vs[t], each of n[t] floats;
//           clip: gradClip's out (2 floats), the factor read on the device.
Napi::Value AdamSteps(Info info) {
  Args a(info, "adamSteps", 13);
  const std::vector<int64_t> n = sizes(a, info, 4, "n");
  const int64_t count = static_cast<int64_t>(n.size());
  auto elems = [&](int64_t t) { return n[t]; };
  std::vector<float*> p = buffer_array<float*>(a, info, 0, "params", count, elems);
  std::vector<const float*> g = buffer_array<const float*>(a, info, 1, "grads", count, elems);
  std::vector<float*> m = buffer_array<float*>(a, info, 2, "ms", count, elems);
  std::vector<float*> v = buffer_array<float*>(a, info, 3, "vs", count, elems);
  AdamParams ap{static_cast<float>(a.num(5, "lr")),
                static_cast<float>(a.num(6, "beta1")),
                static_cast<float>(a.num(7, "beta2")),
                static_cast<float>(a.num(8, "eps")),
                static_cast<float>(a.num(9, "weightDecay")),
                a.flag(10, "decoupled"),
                a.size(11, "step")};
  if (ap.step < 1) a.fail("step must be ≥ 1");
  backend::adam_steps(p.data(), g.data(), m.data(), v.data(), n.data(), count, ap, a.buf<float>(12, "clip", 2));
  return Undef(info);
}

}  // namespace

void register_adam(Napi::Env env, Napi::Object exports) {
  export_fn<GradClip>(env, exports, "gradClip");
  export_fn<AdamSteps>(env, exports, "adamSteps");
}

}  // namespace seqcore
