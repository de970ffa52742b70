#include "napi/storage.h"

#include <cstring>
#include <unordered_map>

#include "cpu/block_cache.h"

namespace seqcore {
namespace {

std::unordered_map<uint64_t, StorageEntry> g_table;
BlockCache g_cache(size_t(2) << 30);
uint64_t g_next_id = 1;
size_t g_live_bytes = 0;

uint64_t key(double id) { return id >= 1 && id < 9007199254740992.0 ? static_cast<uint64_t>(id) : 0; }

// Size classes: multiples of 64 bytes up to 64 KiB, then eight classes per power of two
// (at most 12.5 % slack), so buffers of nearly equal size share blocks.
size_t size_class(size_t bytes) {
  if (bytes <= 65536) return ((bytes + 63) / 64) * 64 + (bytes == 0 ? 64 : 0);
  size_t p = 1;
  while (p * 2 <= bytes) p *= 2;
  const size_t step = p / 8;
  return ((bytes + step - 1) / step) * step;
}

}  // namespace

double storage_alloc(size_t bytes, bool zero) {
  const size_t cls = size_class(bytes);
  size_t cap;
  void* p = g_cache.alloc(cls, cls, &cap);
  if (zero) std::memset(p, 0, bytes);
  const uint64_t id = g_next_id++;
  g_table.emplace(id, StorageEntry{p, bytes, cap});
  g_live_bytes += bytes;
  return static_cast<double>(id);
}

bool storage_free(double id) {
  auto it = g_table.find(key(id));
  if (it == g_table.end()) return false;
  const StorageEntry e = it->second;
  g_live_bytes -= e.bytes;
  g_table.erase(it);
  g_cache.release(e.ptr, e.capacity);
  return true;
}

const StorageEntry* storage_find(double id) {
  auto it = g_table.find(key(id));
  return it == g_table.end() ? nullptr : &it->second;
}

StorageStats storage_stats() { return {g_live_bytes, g_table.size(), g_cache.bytes(), g_cache.limit()}; }

void storage_set_cache_limit(size_t bytes) { g_cache.set_limit(bytes); }

void storage_empty_cache() { g_cache.clear(); }

}  // namespace seqcore
