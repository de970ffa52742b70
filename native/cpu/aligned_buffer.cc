#include "cpu/aligned_buffer.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

namespace seqcore {
namespace {

constexpr size_t kPoolLimit = size_t(1) << 30;  // bytes of freed blocks kept at most

std::mutex g_mutex;
std::multimap<size_t, void*> g_pool;
size_t g_pooled = 0;

// Capacities: multiples of 4 KiB below 1 MiB, then eight steps per power of two.
size_t capacity_for(size_t bytes) {
  if (bytes < (size_t(1) << 20)) return ((bytes + 4095) / 4096) * 4096 + (bytes == 0 ? 4096 : 0);
  size_t p = 1;
  while (p * 2 <= bytes) p *= 2;
  const size_t step = p / 8;
  return ((bytes + step - 1) / step) * step;
}

}  // namespace

void* scratch_alloc(size_t bytes, size_t* capacity) {
  const size_t cap = capacity_for(bytes);
  {
    std::lock_guard<std::mutex> lk(g_mutex);
    auto it = g_pool.lower_bound(cap);
    if (it != g_pool.end() && it->first <= cap + cap / 4) {  // a block at most 25 % larger
      void* p = it->second;
      *capacity = it->first;
      g_pooled -= it->first;
      g_pool.erase(it);
      return p;
    }
  }
  void* p = std::aligned_alloc(64, cap);
  if (!p) {
    scratch_trim();
    p = std::aligned_alloc(64, cap);
  }
  if (!p) throw std::bad_alloc();
  *capacity = cap;
  return p;
}

void scratch_free(void* p, size_t capacity) {
  std::lock_guard<std::mutex> lk(g_mutex);
  if (g_pooled + capacity > kPoolLimit) {
    std::free(p);
    return;
  }
  g_pool.emplace(capacity, p);
  g_pooled += capacity;
}

void scratch_trim() {
  std::lock_guard<std::mutex> lk(g_mutex);
  for (auto& [cap, p] : g_pool) std::free(p);
  g_pool.clear();
  g_pooled = 0;
}

size_t scratch_pooled_bytes() {
  std::lock_guard<std::mutex> lk(g_mutex);
  return g_pooled;
}

}  // namespace seqcore
