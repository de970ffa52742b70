// The seqcore addon (cpu backend): with args.h, memory_bindings.cc and the kernel bindings of
// native/napi/kernels, the only native code that knows about Node. Kernels live in native/cpu
// as plain functions on pointers.
#include <napi.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "napi/bindings.h"

namespace seqcore {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#if defined(__GLIBC__)
  // glibc raises its mmap threshold to the largest block freed (up to 32 MiB); from then on
  // large typed arrays (evaluation scores, batches) come from the heap, and freeing them does
  // not shrink the process: over 20 epochs of rec train on Beauty, RSS crept up by a third.
  // A fixed threshold keeps every block of 1 MiB or more mapped, returned to the OS on free
  // (the same as MALLOC_MMAP_THRESHOLD_=1048576). The native caches map theirs directly.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  register_memory(env, exports);
  register_kernels(env, exports);
  return exports;
}

NODE_API_MODULE(seqcore, Init)

}  // namespace seqcore
