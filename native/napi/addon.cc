// The seqcore addon: the only native code that knows about Node (with args.h and the
// *_bindings.cc files). Kernels live in native/cpu as plain functions on pointers.
#include <napi.h>

#include "napi/bindings.h"

namespace seqcore {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  register_memory(env, exports);
  register_kernels(env, exports);
  register_sequences(env, exports);
  return exports;
}

NODE_API_MODULE(seqcore, Init)

}  // namespace seqcore
