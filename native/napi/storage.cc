#include "napi/storage.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <unordered_map>
#include <vector>

namespace seqcore {
namespace {

std::unordered_map<uint64_t, StorageEntry> g_table;
std::multimap<size_t, void*> g_cache;  // capacity → free block
uint64_t g_next_id = 1;
size_t g_live_bytes = 0, g_cached_bytes = 0;
size_t g_cache_limit = size_t(2) << 30;

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

void trim(size_t limit) {
  while (g_cached_bytes > limit && !g_cache.empty()) {
    auto it = std::prev(g_cache.end());  // largest first
    g_cached_bytes -= it->first;
    std::free(it->second);
    g_cache.erase(it);
  }
}

}  // namespace

double storage_alloc(size_t bytes, bool zero) {
  const size_t cap = size_class(bytes);
  void* p = nullptr;
  auto it = g_cache.find(cap);
  if (it != g_cache.end()) {
    p = it->second;
    g_cached_bytes -= cap;
    g_cache.erase(it);
  } else {
    p = std::aligned_alloc(64, cap);
    if (!p) {  // give the cache back to the OS and try once more
      storage_empty_cache();
      p = std::aligned_alloc(64, cap);
    }
    if (!p) throw std::bad_alloc();
  }
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
  if (e.capacity <= g_cache_limit) {
    g_cache.emplace(e.capacity, e.ptr);
    g_cached_bytes += e.capacity;
    trim(g_cache_limit);
  } else {
    std::free(e.ptr);
  }
  return true;
}

const StorageEntry* storage_find(double id) {
  auto it = g_table.find(key(id));
  return it == g_table.end() ? nullptr : &it->second;
}

StorageStats storage_stats() { return {g_live_bytes, g_table.size(), g_cached_bytes, g_cache_limit}; }

void storage_set_cache_limit(size_t bytes) {
  g_cache_limit = bytes;
  trim(bytes);
}

void storage_empty_cache() { trim(0); }

}  // namespace seqcore
