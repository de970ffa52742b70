// A cache of freed 64-byte-aligned blocks, keyed by capacity, for the allocators that reuse
// them (storages in native/napi/storage.cc, kernel scratch in aligned_buffer.cc): reusing a
// large block saves a page fault per 4 KiB that fresh memory costs on first touch.
//
// The cache keeps what the process reuses, not everything it ever freed. Its clock is the
// number of allocations; every kWindow allocations it drops the blocks that sat unused through
// the whole window before. So a block reused within kWindow allocations of being freed is
// always kept (a training step that frees and reallocates the same buffers every step, with
// fewer allocations than that per step), and one that is not goes back to the OS within
// 2·kWindow allocations (the one-off shapes of variable-length batches, which would otherwise
// pile up to the byte limit).
//
// Not thread-safe: callers serialise.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>

namespace seqcore {

class BlockCache {
 public:
  static constexpr uint64_t kWindow = 1024;  // allocations

  explicit BlockCache(size_t limit) : limit_(limit) {}

  // A block for `capacity` bytes: the most recently freed cached block with a capacity in
  // [capacity, max_capacity], else a fresh one of `capacity` bytes (emptying the cache and
  // retrying once if that fails). Sets *got to the block's capacity; throws std::bad_alloc.
  void* alloc(size_t capacity, size_t max_capacity, size_t* got);
  // Keeps a block for reuse, dropping the largest cached blocks beyond the byte limit.
  void release(void* p, size_t capacity);

  void set_limit(size_t limit);  // also trims to it; 0 disables caching
  void clear() { trim(0); }
  size_t bytes() const { return bytes_; }
  size_t limit() const { return limit_; }

 private:
  struct Block {
    void* p;
    uint64_t freed_at;  // allocs_ when it was freed
  };
  void trim(size_t limit);
  void sweep();

  std::multimap<size_t, Block> blocks_;  // capacity → block; equal capacities oldest first
  size_t bytes_ = 0, limit_;
  uint64_t allocs_ = 0, last_sweep_ = 0;
};

}  // namespace seqcore
