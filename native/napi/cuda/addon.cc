// The seqcore_cuda addon (cuda backend): the kernel bindings of native/napi/kernels compiled
// against native/cuda, and the device's memory entry points. Built only where nvcc exists.
#include <napi.h>

#include "napi/bindings.h"

namespace seqcore {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  register_memory(env, exports);
  register_kernels(env, exports);
  return exports;
}

NODE_API_MODULE(seqcore_cuda, Init)

}  // namespace seqcore
