// Size classes of the caching allocators (host storages, device memory): multiples of 64 bytes
// up to 64 KiB, then eight classes per power of two (at most 12.5 % slack), so buffers of
// nearly equal size share blocks.
#pragma once
#include <cstddef>

namespace seqcore {

inline size_t size_class(size_t bytes) {
  if (bytes <= 65536) return ((bytes + 63) / 64) * 64 + (bytes == 0 ? 64 : 0);
  size_t p = 1;
  while (p * 2 <= bytes) p *= 2;
  const size_t step = p / 8;
  return ((bytes + step - 1) / step) * step;
}

}  // namespace seqcore
