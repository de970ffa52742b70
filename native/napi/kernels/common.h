// What every kernel binding file includes. The files in native/napi/kernels are the JavaScript
// entry points of the kernels, one per family as in native/cpu, and are compiled twice: into
// the cpu addon against native/cpu (namespace backend = seqcore), and into the CUDA addon against
// native/cuda (backend = seqcore::cuda, SEQCORE_CUDA_ADDON defined). Each entry point checks its
// arguments (Args) against the buffers it will touch, then calls the backend's kernel: the argument
// lists and checks are written once for every native backend.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "napi/args.h"
#include "napi/bindings.h"

#if defined(SEQCORE_CUDA_ADDON)
#include "cuda/kernels.h"
namespace seqcore {
namespace backend = cuda;
// Whether storages are host memory, so bindings may read them (ids, targets) to check them;
// on the device those checks are the kernels' own faults (native/cuda/runtime.h).
constexpr bool kHostMemory = false;
}  // namespace seqcore
#else
#include "cpu/als.h"
#include "cpu/attention.h"
#include "cpu/gemm.h"
#include "cpu/gru.h"
#include "cpu/kernels.h"
#include "cpu/pack.h"
namespace seqcore {
namespace backend = ::seqcore;
constexpr bool kHostMemory = true;
}  // namespace seqcore
#endif

namespace seqcore {

using Info = const Napi::CallbackInfo&;

inline Napi::Value Undef(Info info) { return info.Env().Undefined(); }

// Argument i: an array of `count` storage ids, entry k checked to hold `elems(k)` floats.
template <class P, class F>
std::vector<P> buffer_array(const Args& a, Info info, size_t i, const char* name, int64_t count, F elems) {
  if (!info[i].IsArray() || info[i].As<Napi::Array>().Length() != static_cast<uint64_t>(count))
    a.fail(std::string("argument '") + name + "' must be an array of " + std::to_string(count) + " storage ids");
  auto arr = info[i].As<Napi::Array>();
  std::vector<P> out;
  for (int64_t k = 0; k < count; ++k) {
    Napi::Value v = arr[static_cast<uint32_t>(k)];
    if (!v.IsNumber()) a.fail(std::string(name) + "[" + std::to_string(k) + "] is not a storage id");
    out.push_back(static_cast<P>(a.storage(v.As<Napi::Number>().DoubleValue(), name, k, elems(k), sizeof(float))->ptr));
  }
  return out;
}

// The packed layout of the sequence kernels, from JavaScript's two Int32Arrays (batch sizes,
// sorted indices), checked.
inline const int32_t* int32s(const Args& a, Info info, size_t i, const char* name, int64_t* n) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    a.fail(std::string("argument '") + name + "' must be an Int32Array");
  auto ta = info[i].As<Napi::Int32Array>();
  *n = static_cast<int64_t>(ta.ElementLength());
  return ta.Data();
}

inline PackedLayout layout(const Args& a, Info info, size_t bs_i, size_t sorted_i) {
  int64_t T, B;
  const int32_t* bs = int32s(a, info, bs_i, "batchSizes", &T);
  const int32_t* sorted = int32s(a, info, sorted_i, "sortedIndices", &B);
  PackedLayout l;
  const char* err = packed_layout_init(&l, bs, T, sorted, B);
  if (*err) a.fail(std::string("bad packed layout: ") + err);
  return l;
}

}  // namespace seqcore
