// Native buffers owned by JavaScript tensors, addressed by id. Ids are never reused, so a
// stale id (a disposed tensor) is caught instead of aliasing a newer buffer.
#pragma once
#include <cstddef>
#include <cstdint>

namespace seqcore {

struct StorageEntry {
  void* ptr;
  size_t bytes;
};

double storage_alloc(size_t bytes);      // zero-filled, 64-byte aligned; returns the id
bool storage_free(double id);            // false if the id is unknown or already freed
const StorageEntry* storage_find(double id);
size_t storage_live_bytes();
size_t storage_live_count();

}  // namespace seqcore
