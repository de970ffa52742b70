#include "napi/storage.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <unordered_map>

namespace seqcore {
namespace {
std::unordered_map<uint64_t, StorageEntry> g_table;
uint64_t g_next_id = 1;
size_t g_live_bytes = 0;

uint64_t key(double id) { return id >= 1 && id < 9007199254740992.0 ? static_cast<uint64_t>(id) : 0; }
}  // namespace

double storage_alloc(size_t bytes) {
  const size_t rounded = ((bytes + 63) / 64) * 64;
  void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, rounded == 0 ? 64 : rounded);
  const uint64_t id = g_next_id++;
  g_table.emplace(id, StorageEntry{p, bytes});
  g_live_bytes += bytes;
  return static_cast<double>(id);
}

bool storage_free(double id) {
  auto it = g_table.find(key(id));
  if (it == g_table.end()) return false;
  std::free(it->second.ptr);
  g_live_bytes -= it->second.bytes;
  g_table.erase(it);
  return true;
}

const StorageEntry* storage_find(double id) {
  auto it = g_table.find(key(id));
  return it == g_table.end() ? nullptr : &it->second;
}

size_t storage_live_bytes() { return g_live_bytes; }
size_t storage_live_count() { return g_table.size(); }

}  // namespace seqcore
