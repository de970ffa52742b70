// Native buffers owned by JavaScript tensors, addressed by id. Ids are never reused, so a
// stale id (a disposed tensor) is caught instead of aliasing a newer buffer.
//
// Freed blocks are kept in a size-class cache (a BlockCache, native/cpu/block_cache.h: up to
// a byte limit, and only while they are reused) and handed out again: a training step frees
// and reallocates the same large buffers every step, and returning them to the OS would cost
// a page fault per 4 KiB on every reuse.
#pragma once
#include <cstddef>
#include <cstdint>

namespace seqcore {

struct StorageEntry {
  void* ptr;
  size_t bytes;     // as requested
  size_t capacity;  // of the block (its size class)
};

// 64-byte aligned; zero-filled when `zero`, else contents are unspecified. Returns the id.
double storage_alloc(size_t bytes, bool zero);
bool storage_free(double id);  // false if the id is unknown or already freed
const StorageEntry* storage_find(double id);

struct StorageStats {
  size_t live_bytes, live_count, cached_bytes, cache_limit;
};
StorageStats storage_stats();
void storage_set_cache_limit(size_t bytes);  // also trims the cache to it; 0 disables caching
void storage_empty_cache();

}  // namespace seqcore
