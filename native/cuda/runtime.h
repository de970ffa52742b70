// What every CUDA kernel file uses: the one compute stream, the caching device allocator,
// staged uploads of small host arrays, and device faults. Implemented in runtime.cu.
//
// Ordering: all work goes on one stream, so kernels, copies and the allocator's reuse of
// freed blocks are ordered by it; nothing here synchronises the host except reads.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace seqcore {
namespace cuda {

// Throws std::runtime_error "cuda: <what>: <error string>" unless e is cudaSuccess.
void check(cudaError_t e, const char* what);
// After a launch: raises a launch error (bad configuration, no kernel image for this GPU)
// naming the kernel.
void check_launch(const char* kernel);

cudaStream_t stream();
const cudaDeviceProp& device_props();

// Blocks for n items at `threads` per block, capped at a few waves of the GPU (kernels use
// grid-stride loops, so any n is covered). At least 1.
unsigned grid_for(int64_t n, int threads);

// Device memory from the caching allocator: power-of-two-ish size classes, freed blocks kept
// for reuse, so a training step makes no cudaMalloc once warm. Stream-ordered: a block freed
// while kernels that use it are queued is reused only by work queued after them.
void* device_alloc(size_t bytes);
void device_free(void* p);

// A kernel's temporary device memory, freed (stream-ordered) when it goes out of scope.
class Scratch {
 public:
  explicit Scratch(size_t bytes) : ptr_(bytes ? device_alloc(bytes) : nullptr) {}
  ~Scratch() {
    if (ptr_) device_free(ptr_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  template <class T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }

 private:
  void* ptr_;
};

// Queues a copy of `bytes` of host memory to device memory `dst`, through a pinned staging
// ring: the host memory may be reused as soon as this returns.
void upload(const void* host, void* dst, size_t bytes);

// Scratch holding a copy of `count` host values (layouts, pointer tables, CSR arrays).
template <class T>
T* upload(Scratch& into, const T* host, size_t count) {
  upload(static_cast<const void*>(host), into.as<void>(), count * sizeof(T));
  return into.as<T>();
}

// Device faults. A kernel that meets bad input cannot throw: it records the first fault,
// and the next read or synchronize() raises it as an error that names the op, e.g.
//   "cuda: embeddingGather: id 9 at index 3 is outside the table's 5 rows (raised at this
//    read; the kernel ran earlier)".
enum FaultKind : int { kIdOutOfRange = 1, kNotInt32 = 2, kTargetOutOfRange = 3 };
struct FaultRecord {
  int kind;  // 0: none; written last, once the other fields are
  int seq;   // which fault_site() call: names the op
  long long index, value, limit;
  int claim;  // taken by the one thread that writes the record
};
// Passed by value to a kernel that may fault.
struct FaultSite {
  FaultRecord* record;
  int seq, kind;
  long long limit;
};
// Host: a site for one launch of `op` (a static string) that may raise faults of `kind`
// against `limit` (the table's rows for ids).
FaultSite fault_site(const char* op, FaultKind kind, long long limit);
// Host: waits for the stream, then throws the recorded fault (and clears it), if any.
void synchronize();

#if defined(__CUDACC__)
__device__ inline void raise_fault(const FaultSite& s, long long index, long long value) {
  if (atomicCAS(&s.record->claim, 0, 1) == 0) {
    s.record->seq = s.seq;
    s.record->index = index;
    s.record->value = value;
    s.record->limit = s.limit;
    __threadfence_system();
    atomicExch(&s.record->kind, s.kind);  // published last: a host that sees kind sees the rest
  }
}
#endif

}  // namespace cuda
}  // namespace seqcore
