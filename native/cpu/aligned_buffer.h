// A growable 64-byte-aligned float scratch buffer (packed GEMM panels, per-call GRU temps).
// Blocks come from a process-wide pool of freed blocks, so the large temporaries a kernel
// needs on every call do not page-fault fresh memory each time.
#pragma once
#include <cstddef>

namespace seqcore {

void* scratch_alloc(size_t bytes, size_t* capacity);  // throws std::bad_alloc
void scratch_free(void* p, size_t capacity);
void scratch_trim();  // returns every pooled block to the OS
size_t scratch_pooled_bytes();

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() {
    if (p_) scratch_free(p_, cap_);
  }
  float* get(size_t n) {
    if (n * sizeof(float) > cap_ || !p_) {
      if (p_) scratch_free(p_, cap_);
      p_ = static_cast<float*>(scratch_alloc(n * sizeof(float), &cap_));
    }
    return p_;
  }

 private:
  float* p_ = nullptr;
  size_t cap_ = 0;
};

}  // namespace seqcore
