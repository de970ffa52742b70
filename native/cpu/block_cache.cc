#include "cpu/block_cache.h"

#include <cstdlib>
#include <iterator>
#include <new>

#include "cpu/portable.h"
#if !defined(_WIN32)
#include <sys/mman.h>
#endif

namespace seqcore {
namespace {

// Blocks of 1 MiB and more are mapped and unmapped directly. From malloc they would come from
// the heap once glibc's mmap threshold has risen (it follows the largest block freed, up to
// 32 MiB), and freeing them would not return the memory: with shapes that change every batch,
// rec train's RSS wandered between 380 and 640 MiB over 20 epochs on Beauty; mapped, it stays
// flat (bench/rec_rss.ts). Mapped memory is page-aligned, so 64-byte aligned too.
constexpr size_t kMapBytes = size_t(1) << 20;

// (On Windows every block comes from the CRT's aligned heap.)
void* fresh(size_t capacity) {
#if !defined(_WIN32)
  if (capacity >= kMapBytes) {
    void* p = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
#endif
  return aligned_alloc64(capacity);
}

void give_back(void* p, size_t capacity) {
#if !defined(_WIN32)
  if (capacity >= kMapBytes) {
    munmap(p, capacity);
    return;
  }
#endif
  aligned_free(p);
}

}  // namespace

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
  void* p = fresh(capacity);
  if (!p) {
    clear();
    p = fresh(capacity);
  }
  if (!p) throw std::bad_alloc();
  *got = capacity;
  return p;
}

void BlockCache::release(void* p, size_t capacity) {
  if (capacity > limit_) {
    give_back(p, capacity);
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
    give_back(it->second.p, it->first);
    blocks_.erase(it);
  }
}

// Drops the blocks freed before the previous sweep and not taken since: unused for a window.
void BlockCache::sweep() {
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    if (it->second.freed_at < last_sweep_) {
      bytes_ -= it->first;
      give_back(it->second.p, it->first);
      it = blocks_.erase(it);
    } else {
      ++it;
    }
  }
  last_sweep_ = allocs_;
}

}  // namespace seqcore
