// The CUDA runtime of seqcore (runtime.h): device selection, the compute stream, the caching
// allocator, the pinned staging ring for uploads, and device faults.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/size_class.h"
#include "cuda/device.h"
#include "cuda/runtime.h"

namespace seqcore {
namespace cuda {
namespace {

struct State {
  bool ready = false;
  int device = -1;
  cudaDeviceProp props{};
  cudaStream_t stream = nullptr;
  FaultRecord* fault_host = nullptr;  // mapped pinned memory: kernels write it, the host reads it after a sync
  FaultRecord* fault_device = nullptr;
  int fault_seq = 0;
  // seq % 4096 → (seq, op); a slot overwritten since its fault gives "a kernel", never a wrong name.
  struct FaultOp {
    int seq = 0;
    const char* op = nullptr;
  };
  std::vector<FaultOp> fault_ops = std::vector<FaultOp>(4096);
};
State g;

void require_ready() {
  if (!g.ready) throw std::runtime_error("cuda: the backend is not started (call init first)");
}

// ---- caching allocator ----
// Freed blocks by size class; all memory work is on one stream, so a block freed while
// kernels that use it are queued can be handed to later work on that stream at once (the
// scheme of PyTorch's caching allocator, minus multi-stream bookkeeping).
std::multimap<size_t, void*> g_free;        // class → block
std::unordered_map<void*, size_t> g_class;  // every block → its class
size_t g_cached = 0, g_live = 0;

void release_cache() {
  if (g_free.empty()) return;
  check(cudaStreamSynchronize(g.stream), "synchronize before freeing cached memory");
  for (auto& [cls, p] : g_free) {
    cudaFree(p);
    g_class.erase(p);
  }
  g_free.clear();
  g_cached = 0;
}

// ---- staging ring ----
// Uploads are copied into pinned memory and queued from there, so the caller's memory can
// be reused at once and the copy does not block. The ring is kSlots slots; a slot is reused
// only after the copies queued from it have finished (its event).
constexpr size_t kSlotBytes = size_t(2) << 20;
constexpr int kSlots = 8;
struct Slot {
  char* host = nullptr;
  cudaEvent_t done = nullptr;
  bool pending = false;
};
Slot g_slots[kSlots];
int g_slot = 0;
size_t g_used = 0;  // bytes of the current slot in use

void next_slot() {
  Slot& cur = g_slots[g_slot];
  check(cudaEventRecord(cur.done, g.stream), "record a staging event");
  cur.pending = true;
  g_slot = (g_slot + 1) % kSlots;
  Slot& nxt = g_slots[g_slot];
  if (nxt.pending) check(cudaEventSynchronize(nxt.done), "wait for a staging slot");
  nxt.pending = false;
  g_used = 0;
}

}  // namespace

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("cuda: ") + what + ": " + cudaGetErrorString(e));
}

void check_launch(const char* kernel) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess)
    throw std::runtime_error(
        std::string("cuda: launching ") + kernel + ": " + cudaGetErrorString(e) +
        (e == cudaErrorNoKernelImageForDevice || e == cudaErrorInvalidDeviceFunction
             ? " (this build has no code for this GPU's architecture: rebuild with SEQCORE_CUDA_ARCHS including it)"
             : ""));
}

cudaStream_t stream() {
  require_ready();
  return g.stream;
}

const cudaDeviceProp& device_props() {
  require_ready();
  return g.props;
}

unsigned grid_for(int64_t n, int threads) {
  const int64_t blocks = (n + threads - 1) / threads;
  const int64_t cap = static_cast<int64_t>(g.props.multiProcessorCount > 0 ? g.props.multiProcessorCount : 1) * 32;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > cap ? cap : blocks));
}

void* device_alloc(size_t bytes) {
  require_ready();
  const size_t cls = size_class(bytes);
  auto it = g_free.lower_bound(cls);
  // Reuse a block of this class, or one at most 1/8 larger (the next class).
  if (it != g_free.end() && it->first <= cls + cls / 8) {
    void* p = it->second;
    g_cached -= it->first;
    g_live += it->first;
    g_free.erase(it);
    return p;
  }
  void* p = nullptr;
  cudaError_t e = cudaMalloc(&p, cls);
  if (e == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // clear it, then retry once without the cache
    release_cache();
    e = cudaMalloc(&p, cls);
  }
  if (e != cudaSuccess) {
    cudaGetLastError();
    size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    throw std::runtime_error("cuda: out of device memory allocating " + std::to_string(bytes) + " bytes (" +
                             std::to_string(g_live >> 20) + " MiB in use by seqcore, " + std::to_string(free_b >> 20) +
                             " MiB free of " + std::to_string(total_b >> 20) +
                             " MiB): reduce the batch, sequence length or width");
  }
  g_class[p] = cls;
  g_live += cls;
  return p;
}

void device_free(void* p) {
  if (!p) return;
  auto it = g_class.find(p);
  if (it == g_class.end()) return;
  // A second free would put the block in the cache twice and alias two later buffers.
  for (auto [b, e] = g_free.equal_range(it->second); b != e; ++b)
    if (b->second == p) throw std::logic_error("cuda: device_free of a block that is already free");
  g_live -= it->second;
  g_cached += it->second;
  g_free.emplace(it->second, p);
}

void upload(const void* host, void* dst, size_t bytes) {
  require_ready();
  const char* src = static_cast<const char*>(host);
  char* out = static_cast<char*>(dst);
  while (bytes > 0) {
    const size_t room = kSlotBytes - g_used;
    // An upload that does not fit the rest of a slot starts a fresh one; one larger than a
    // slot fills whole slots.
    if (room == 0 || (bytes > room && g_used > 0)) {
      next_slot();
      continue;
    }
    const size_t n = std::min(bytes, room);
    char* stage = g_slots[g_slot].host + g_used;
    std::memcpy(stage, src, n);
    check(cudaMemcpyAsync(out, stage, n, cudaMemcpyHostToDevice, g.stream), "queue an upload");
    g_used = std::min(kSlotBytes, g_used + (n + 255) / 256 * 256);  // keep staged copies 256-byte aligned
    src += n;
    out += n;
    bytes -= n;
  }
}

FaultSite fault_site(const char* op, FaultKind kind, long long limit) {
  require_ready();
  const int seq = ++g.fault_seq;
  g.fault_ops[static_cast<size_t>(seq) % g.fault_ops.size()] = {seq, op};
  return FaultSite{g.fault_device, seq, kind, limit};
}

void synchronize() {
  require_ready();
  const cudaError_t e = cudaStreamSynchronize(g.stream);
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("cuda: a queued kernel failed: ") + cudaGetErrorString(e) +
                             " (the CUDA context is unusable after this error; restart the process)");
  raise_recorded_fault();
}

void raise_recorded_fault() {
  // kind is published last (raise_fault), so once it is set the other fields are complete.
  if (*static_cast<volatile int*>(&g.fault_host->kind) == 0) return;
  std::atomic_thread_fence(std::memory_order_acquire);
  const FaultRecord f = *g.fault_host;
  std::memset(g.fault_host, 0, sizeof(FaultRecord));
  const auto& site = g.fault_ops[static_cast<size_t>(f.seq) % g.fault_ops.size()];
  const char* op = site.seq == f.seq ? site.op : nullptr;
  std::string what = std::string("cuda: ") + (op ? op : "a kernel") + ": ";
  if (f.kind == kIdOutOfRange)
    what += "id " + std::to_string(f.value) + " at index " + std::to_string(f.index) + " is outside the table's " +
            std::to_string(f.limit) + " rows";
  else if (f.kind == kNotInt32)
    what += "value " + std::to_string(f.value) + " at index " + std::to_string(f.index) + " does not fit in int32";
  else if (f.kind == kTargetOutOfRange)
    what += "target " + std::to_string(f.value) + " at row " + std::to_string(f.index) + " is outside [0, " +
            std::to_string(f.limit) + ")";
  else
    what += "fault " + std::to_string(f.kind);
  throw std::runtime_error(what + " (raised at this read; the kernel ran earlier)");
}

// ---- device.h: what the addon's memory bindings use ----

namespace {
std::vector<cudaEvent_t> g_timer_events;  // by id
std::vector<int> g_timer_free;            // ids of events not in use
}  // namespace

int timer_mark() {
  require_ready();
  if (g_timer_free.empty()) {
    cudaEvent_t e;
    check(cudaEventCreate(&e), "create a timing event");
    g_timer_events.push_back(e);
    g_timer_free.push_back(static_cast<int>(g_timer_events.size()) - 1);
  }
  const int id = g_timer_free.back();
  g_timer_free.pop_back();
  check(cudaEventRecord(g_timer_events[id], g.stream), "record a timing event");
  return id;
}

float timer_elapsed(int a, int b) {
  const int n = static_cast<int>(g_timer_events.size());
  if (a < 0 || a >= n || b < 0 || b >= n) throw std::invalid_argument("cuda: unknown timing event");
  check(cudaEventSynchronize(g_timer_events[b]), "wait for a timing event");
  float ms = 0.f;
  check(cudaEventElapsedTime(&ms, g_timer_events[a], g_timer_events[b]), "read a kernel time");
  g_timer_free.push_back(a);
  g_timer_free.push_back(b);
  return ms;
}

void init(int device) {
  if (g.ready) {
    if (device != g.device)
      throw std::runtime_error("cuda: already started on device " + std::to_string(g.device) +
                               "; one device per process");
    return;
  }
  int driver = 0, count = 0;
  cudaDriverGetVersion(&driver);
  if (driver == 0)
    throw std::runtime_error(
        "cuda: no NVIDIA driver is installed (libcuda.so.1 not found): this machine cannot run the cuda backend");
  check(cudaGetDeviceCount(&count), "count devices");
  if (count == 0) throw std::runtime_error("cuda: the NVIDIA driver sees no GPU");
  if (device < 0 || device >= count)
    throw std::runtime_error("cuda: device " + std::to_string(device) + " does not exist (" + std::to_string(count) +
                             " visible)");
  check(cudaSetDevice(device), "select the device");
  check(cudaGetDeviceProperties(&g.props, device), "read the device properties");
  check(cudaStreamCreateWithFlags(&g.stream, cudaStreamNonBlocking), "create the compute stream");
  check(cudaHostAlloc(reinterpret_cast<void**>(&g.fault_host), sizeof(FaultRecord), cudaHostAllocMapped),
        "allocate the fault record");
  std::memset(g.fault_host, 0, sizeof(FaultRecord));
  check(cudaHostGetDevicePointer(reinterpret_cast<void**>(&g.fault_device), g.fault_host, 0), "map the fault record");
  for (Slot& s : g_slots) {
    check(cudaHostAlloc(reinterpret_cast<void**>(&s.host), kSlotBytes, cudaHostAllocDefault),
          "allocate pinned staging memory");
    check(cudaEventCreateWithFlags(&s.done, cudaEventDisableTiming), "create a staging event");
  }
  g.device = device;
  g.ready = true;
}

bool ready() { return g.ready; }

AllocatorStats allocator_stats() { return {g_live, g_cached}; }

void empty_cache() {
  if (g.ready) release_cache();
}

void memset_async(void* p, size_t bytes) { check(cudaMemsetAsync(p, 0, bytes, stream()), "zero device memory"); }

void copy_async(void* dst, const void* src, size_t bytes) {
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream()), "copy device memory");
}

void read(const void* src, void* host, size_t bytes) {
  synchronize();
  check(cudaMemcpy(host, src, bytes, cudaMemcpyDeviceToHost), "read device memory");
}

PendingRead::PendingRead(const void* src, size_t bytes) : bytes_(bytes) {
  require_ready();
  check(cudaMallocHost(&pinned_, bytes ? bytes : 1), "allocate pinned memory for a read");
  check(cudaEventCreateWithFlags(&done_, cudaEventDisableTiming), "create a read event");
  check(cudaMemcpyAsync(pinned_, src, bytes, cudaMemcpyDeviceToHost, g.stream), "queue a read");
  check(cudaEventRecord(done_, g.stream), "record a read event");
}

PendingRead::~PendingRead() {
  if (done_) cudaEventDestroy(done_);
  if (pinned_) cudaFreeHost(pinned_);
}

void PendingRead::wait() {
  const cudaError_t e = cudaEventSynchronize(done_);
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("cuda: a queued kernel failed: ") + cudaGetErrorString(e) +
                             " (the CUDA context is unusable after this error; restart the process)");
}

void PendingRead::finish(void* host) {
  raise_recorded_fault();  // the kernels queued before the read have finished
  std::memcpy(host, pinned_, bytes_);
}

}  // namespace cuda
}  // namespace seqcore
