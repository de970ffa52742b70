#include "napi/storage.h"

#include <cstring>

#include "common/size_class.h"
#include "cpu/block_cache.h"
#include "napi/storage_table.h"

namespace seqcore {
namespace {

StorageTable g_table;
BlockCache g_cache(size_t(2) << 30);

}  // namespace

double storage_alloc(size_t bytes, bool zero) {
  const size_t cls = size_class(bytes);
  size_t cap;
  void* p = g_cache.alloc(cls, cls, &cap);
  if (zero) std::memset(p, 0, bytes);
  return g_table.add(StorageEntry{p, bytes, cap});
}

bool storage_free(double id) {
  StorageEntry e;
  if (!g_table.remove(id, &e)) return false;
  g_cache.release(e.ptr, e.capacity);
  return true;
}

const StorageEntry* storage_find(double id) { return g_table.find(id); }

StorageStats storage_stats() { return {g_table.live_bytes(), g_table.count(), g_cache.bytes(), g_cache.limit()}; }

void storage_set_cache_limit(size_t bytes) { g_cache.set_limit(bytes); }

void storage_empty_cache() { g_cache.clear(); }

}  // namespace seqcore
