// Storages of the CUDA addon: device memory from the caching allocator (native/cuda/runtime.h),
// behind the same id table and interface as the cpu addon's (napi/storage.h), so that args.h
// checks device buffers exactly as it checks host ones.
#include "napi/storage.h"

#include "cuda/device.h"
#include "cuda/runtime.h"
#include "napi/storage_table.h"

namespace seqcore {
namespace {

StorageTable g_table;

}  // namespace

double storage_alloc(size_t bytes, bool zero) {
  void* p = cuda::device_alloc(bytes);
  if (zero && bytes) cuda::memset_async(p, bytes);
  return g_table.add(StorageEntry{p, bytes, bytes});
}

bool storage_free(double id) {
  StorageEntry e;
  if (!g_table.remove(id, &e)) return false;
  cuda::device_free(e.ptr);
  return true;
}

const StorageEntry* storage_find(double id) { return g_table.find(id); }

StorageStats storage_stats() {
  const cuda::AllocatorStats s = cuda::allocator_stats();
  // No byte limit on the device cache: it keeps freed blocks until an allocation fails, then
  // returns them all and retries (as PyTorch's caching allocator does).
  return {g_table.live_bytes(), g_table.count(), s.cached_bytes, 0};
}

void storage_empty_cache() { cuda::empty_cache(); }

}  // namespace seqcore
