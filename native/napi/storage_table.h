// Storage ids → buffers, for each addon's storage.cc (host memory in native/napi, device
// memory in native/napi/cuda). Ids are never reused, so a stale id (a disposed tensor) is
// caught instead of aliasing a newer buffer.
#pragma once
#include <cstdint>
#include <unordered_map>

#include "napi/storage.h"

namespace seqcore {

class StorageTable {
 public:
  double add(const StorageEntry& e) {
    const uint64_t id = next_++;
    table_.emplace(id, e);
    live_bytes_ += e.bytes;
    return static_cast<double>(id);
  }
  // Removes the id, returning its entry in *out; false if unknown or already freed.
  bool remove(double id, StorageEntry* out) {
    auto it = table_.find(key(id));
    if (it == table_.end()) return false;
    *out = it->second;
    live_bytes_ -= it->second.bytes;
    table_.erase(it);
    return true;
  }
  const StorageEntry* find(double id) const {
    auto it = table_.find(key(id));
    return it == table_.end() ? nullptr : &it->second;
  }
  size_t live_bytes() const { return live_bytes_; }
  size_t count() const { return table_.size(); }

 private:
  static uint64_t key(double id) { return id >= 1 && id < 9007199254740992.0 ? static_cast<uint64_t>(id) : 0; }
  std::unordered_map<uint64_t, StorageEntry> table_;
  uint64_t next_ = 1;
  size_t live_bytes_ = 0;
};

}  // namespace seqcore
