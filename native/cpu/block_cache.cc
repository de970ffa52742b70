#include "cpu/block_cache.h"

#include <cstdlib>
#include <iterator>
#include <new>

namespace seqcore {

void* BlockCache::alloc(size_t capacity, size_t max_capacity, size_t* got) {
  if (++allocs_ % kWindow == 0) sweep();
  auto it = blocks_.lower_bound(capacity);
  if (it != blocks_.end() && it->first <= max_capacity) {
    // The newest block of that capacity: surplus blocks of a capacity then age and are swept,
    // where taking the oldest would keep every one of them in use.
    it = std::prev(blocks_.upper_bound(it->first));
    void* p = it->second.p;
    *got = it->first;
    bytes_ -= it->first;
    blocks_.erase(it);
    return p;
  }
  void* p = std::aligned_alloc(64, capacity);
  if (!p) {
    clear();
    p = std::aligned_alloc(64, capacity);
  }
  if (!p) throw std::bad_alloc();
  *got = capacity;
  return p;
}

void BlockCache::release(void* p, size_t capacity) {
  if (capacity > limit_) {
    std::free(p);
    return;
  }
  blocks_.emplace(capacity, Block{p, allocs_});
  bytes_ += capacity;
  trim(limit_);
}

void BlockCache::set_limit(size_t limit) {
  limit_ = limit;
  trim(limit);
}

void BlockCache::trim(size_t limit) {
  while (bytes_ > limit) {
    auto it = std::prev(blocks_.end());  // largest first
    bytes_ -= it->first;
    std::free(it->second.p);
    blocks_.erase(it);
  }
}

// Drops the blocks freed before the previous sweep and not taken since: unused for a window.
void BlockCache::sweep() {
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    if (it->second.freed_at < last_sweep_) {
      bytes_ -= it->first;
      std::free(it->second.p);
      it = blocks_.erase(it);
    } else {
      ++it;
    }
  }
  last_sweep_ = allocs_;
}

}  // namespace seqcore
