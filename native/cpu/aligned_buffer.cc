#include "cpu/aligned_buffer.h"

#include <mutex>

#include "cpu/block_cache.h"

namespace seqcore {
namespace {

std::mutex g_mutex;
BlockCache g_pool(size_t(1) << 30);  // bytes of freed blocks kept at most

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
  std::lock_guard<std::mutex> lk(g_mutex);
  return g_pool.alloc(cap, cap + cap / 4, capacity);  // a pooled block at most 25 % larger will do
}

void scratch_free(void* p, size_t capacity) {
  std::lock_guard<std::mutex> lk(g_mutex);
  g_pool.release(p, capacity);
}

void scratch_trim() {
  std::lock_guard<std::mutex> lk(g_mutex);
  g_pool.clear();
}

size_t scratch_pooled_bytes() {
  std::lock_guard<std::mutex> lk(g_mutex);
  return g_pool.bytes();
}

}  // namespace seqcore
