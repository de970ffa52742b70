// The device side of the CUDA addon's memory bindings (native/napi/cuda): starting the device,
// allocator statistics, plain copies and reads. Implemented in runtime.cu; kernels use runtime.h.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>

namespace seqcore {
namespace cuda {

// Selects the device and creates the stream, fault record and staging ring; throws naming
// what failed (no driver, no such device). Idempotent for the same device.
void init(int device);
bool ready();

struct AllocatorStats {
  size_t live_bytes, cached_bytes;  // by size class
};
AllocatorStats allocator_stats();
// Returns cached blocks to the driver (waits for the stream first).
void empty_cache();

void memset_async(void* p, size_t bytes);                   // zeroes, queued
void copy_async(void* dst, const void* src, size_t bytes);  // device → device, queued
// Throws the fault the kernels recorded (and clears it), if any; the caller has waited for them.
void raise_recorded_fault();
// Device → host after all queued work, raising a recorded fault first.
void read(const void* src, void* host, size_t bytes);

// Kernel timing for the profiler: timer_mark() records an event on the stream and returns its
// id; timer_elapsed(a, b) waits for b and returns the milliseconds between a and b, then
// returns both events to a pool.
int timer_mark();
float timer_elapsed(int a, int b);

// A read queued now into pinned memory: wait() blocks (on a worker thread) until it is done,
// finish() copies it out on the main thread, raising a recorded fault first.
class PendingRead {
 public:
  PendingRead(const void* src, size_t bytes);
  ~PendingRead();
  PendingRead(const PendingRead&) = delete;
  PendingRead& operator=(const PendingRead&) = delete;
  void wait();
  void finish(void* host);

 private:
  size_t bytes_;
  void* pinned_ = nullptr;
  cudaEvent_t done_ = nullptr;
};

}  // namespace cuda
}  // namespace seqcore
