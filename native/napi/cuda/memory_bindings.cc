// The CUDA addon's entry points that are not kernels: starting the device, what doctor
// reports, storages (device memory) and transfers.
#include <cuda_runtime.h>

#include <memory>
#include <string>

#include "cuda/cublaslt.h"
#include "cuda/device.h"
#include "cuda/gru_persistent.h"
#include "cuda/kernels.h"
#include "cuda/runtime.h"
#include "napi/args.h"
#include "napi/bindings.h"

namespace seqcore {
namespace {

using Info = const Napi::CallbackInfo&;

Napi::Value Init(Info info) {  // init(device)
  Args a(info, "init", 1);
  cuda::init(static_cast<int>(a.size(0, "device")));
  cuda::gemm_init();  // a missing cuBLASLt is reported now, not at the first GEMM
  return info.Env().Undefined();
}

// deviceInfo(): driver and runtime versions and every visible device; never throws for a
// missing driver or GPU (doctor reports it).
Napi::Value DeviceInfo(Info info) {
  Args a(info, "deviceInfo", 0);
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  int driver = 0, runtime = 0, count = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  o.Set("driverVersion", driver);
  o.Set("runtimeVersion", runtime);
  auto devices = Napi::Array::New(env);
  const cudaError_t e = cudaGetDeviceCount(&count);
  // Without a driver the runtime says "driver version is insufficient": say what is missing.
  o.Set("error", e == cudaSuccess
                     ? env.Null()
                     : Napi::String::New(env, driver == 0 ? "no NVIDIA driver is installed (libcuda.so.1 not found)"
                                                          : cudaGetErrorString(e)));
  if (e != cudaSuccess) {
    cudaGetLastError();
    count = 0;
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, d) != cudaSuccess) continue;
    auto dev = Napi::Object::New(env);
    dev.Set("name", p.name);
    dev.Set("major", p.major);
    dev.Set("minor", p.minor);
    dev.Set("totalBytes", static_cast<double>(p.totalGlobalMem));
    dev.Set("multiprocessors", p.multiProcessorCount);
    devices.Set(devices.Length(), dev);
  }
  o.Set("devices", devices);
  return o;
}

Napi::Value CublasInfo(Info info) {  // cublasInfo(): where cuBLASLt was loaded from, or why not
  Args a(info, "cublasInfo", 0);
  Napi::Env env = info.Env();
  const cuda::CublasInfo& c = cuda::cublas_info();
  auto o = Napi::Object::New(env);
  o.Set("path", c.path.empty() ? env.Null() : Napi::String::New(env, c.path));
  o.Set("version", c.path.empty() ? env.Null() : Napi::Number::New(env, static_cast<double>(c.version)));
  auto searched = Napi::Array::New(env);
  for (const std::string& s : c.searched) searched.Set(searched.Length(), s);
  o.Set("searched", searched);
  o.Set("error", c.error.empty() ? env.Null() : Napi::String::New(env, c.error));
  return o;
}

// gruAlgorithm(B, T, total, H): which GRU recurrence this device runs for B sequences of T
// steps at most, total packed rows, hidden size H: "persistent" or "per-step (<why>)"
// (native/cuda/gru_persistent.h); after init.
Napi::Value GruAlgorithm(Info info) {
  Args a(info, "gruAlgorithm", 4);
  return Napi::String::New(info.Env(),
                           cuda::gru_algorithm(a.size(0, "B"), a.size(1, "T"), a.size(2, "total"), a.size(3, "H")));
}

Napi::Value TimerMark(Info info) {  // timerMark(): an event recorded on the stream now, by id
  Args a(info, "timerMark", 0);
  return Napi::Number::New(info.Env(), cuda::timer_mark());
}

// timerElapsed(a, b): milliseconds of GPU time between two marks (waits for b; frees both).
Napi::Value TimerElapsed(Info info) {
  Args a(info, "timerElapsed", 2);
  const int64_t x = a.size(0, "a"), y = a.size(1, "b");
  if (x > INT32_MAX || y > INT32_MAX) a.fail("unknown timing event");
  return Napi::Number::New(info.Env(), cuda::timer_elapsed(static_cast<int>(x), static_cast<int>(y)));
}

Napi::Value Alloc(Info info) {  // alloc(bytes, zero)
  Args a(info, "alloc", 2);
  const size_t bytes = a.alloc_bytes(0);
  return Napi::Number::New(info.Env(), storage_alloc(bytes, a.flag(1, "zero")));
}

Napi::Value Free(Info info) {  // free(id)
  Args a(info, "free", 1);
  return Napi::Boolean::New(info.Env(), storage_free(a.id(0, "id")));
}

Napi::Value Write(Info info) {  // write(id, typedArray, byteOffset): staged, queued
  Args a(info, "write", 3);
  const Args::Transfer t = a.transfer("writing");
  cuda::upload(t.host, t.storage, t.bytes);
  return info.Env().Undefined();
}

Napi::Value Read(Info info) {  // read(id, typedArray, byteOffset): waits for queued work
  Args a(info, "read", 3);
  const Args::Transfer t = a.transfer("reading");
  cuda::read(t.storage, t.host, t.bytes);
  return info.Env().Undefined();
}

// readAsync(id, typedArray, byteOffset) → Promise: the copy is queued now (so it sees every
// kernel queued before it), a worker thread waits for it, and the main thread copies the
// pinned bytes into the typed array.
class ReadWorker : public Napi::AsyncWorker {
 public:
  ReadWorker(Napi::Env env, const Args::Transfer& t, Napi::TypedArray target)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        read_(t.storage, t.bytes),
        host_(t.host),
        target_(Napi::Persistent(target)) {}
  Napi::Promise promise() const { return deferred_.Promise(); }
  void Execute() override {
    try {
      read_.wait();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    try {
      read_.finish(host_);
    } catch (const std::exception& e) {
      deferred_.Reject(Napi::Error::New(Env(), e.what()).Value());
      return;
    }
    deferred_.Resolve(Env().Undefined());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  cuda::PendingRead read_;
  char* host_;
  Napi::Reference<Napi::TypedArray> target_;  // keeps the array (and host_) alive
};

Napi::Value ReadAsync(Info info) {
  Args a(info, "readAsync", 3);
  auto* w = new ReadWorker(info.Env(), a.transfer("reading"), info[1].As<Napi::TypedArray>());
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value Copy(Info info) {  // copy(src, dst, bytes)
  Args a(info, "copy", 3);
  int64_t bytes = a.size(2, "bytes");
  const char* src = a.buf<char>(0, "src", bytes);
  char* dst = a.buf<char>(1, "dst", bytes);
  if (bytes && src != dst) cuda::copy_async(dst, src, static_cast<size_t>(bytes));
  return info.Env().Undefined();
}

Napi::Value Synchronize(Info info) {
  Args a(info, "synchronize", 0);
  cuda::synchronize();
  return info.Env().Undefined();
}

Napi::Value Stats(Info info) {
  Args a(info, "stats", 0);
  const StorageStats s = storage_stats();
  auto o = Napi::Object::New(info.Env());
  o.Set("liveBytes", static_cast<double>(s.live_bytes));
  o.Set("liveCount", static_cast<double>(s.live_count));
  o.Set("cachedBytes", static_cast<double>(s.cached_bytes));
  o.Set("cacheLimit", static_cast<double>(s.cache_limit));
  o.Set("scratchBytes", 0);
  return o;
}

Napi::Value EmptyCache(Info info) {
  Args a(info, "emptyCache", 0);
  storage_empty_cache();
  return info.Env().Undefined();
}

Napi::Value SetPrecision(Info info) {  // setPrecision('fp32' | 'tf32' | 'bf16')
  Args a(info, "setPrecision", 1);
  if (!info[0].IsString()) a.fail("argument 'precision' must be a string");
  const std::string p = info[0].As<Napi::String>();
  if (p != "fp32" && p != "tf32" && p != "bf16") a.fail("precision must be 'fp32', 'tf32' or 'bf16', got '" + p + "'");
  cuda::set_gemm_precision(p == "tf32"   ? cuda::GemmPrecision::kTf32
                           : p == "bf16" ? cuda::GemmPrecision::kBf16
                                         : cuda::GemmPrecision::kFp32);
  return info.Env().Undefined();
}

}  // namespace

void register_memory(Napi::Env env, Napi::Object exports) {
  export_fn<Init>(env, exports, "init");
  export_fn<DeviceInfo>(env, exports, "deviceInfo");
  export_fn<CublasInfo>(env, exports, "cublasInfo");
  export_fn<GruAlgorithm>(env, exports, "gruAlgorithm");
  export_fn<TimerMark>(env, exports, "timerMark");
  export_fn<TimerElapsed>(env, exports, "timerElapsed");
  export_fn<Alloc>(env, exports, "alloc");
  export_fn<Free>(env, exports, "free");
  export_fn<Write>(env, exports, "write");
  export_fn<Read>(env, exports, "read");
  export_fn<ReadAsync>(env, exports, "readAsync");
  export_fn<Copy>(env, exports, "copy");
  export_fn<Synchronize>(env, exports, "synchronize");
  export_fn<Stats>(env, exports, "stats");
  export_fn<EmptyCache>(env, exports, "emptyCache");
  export_fn<SetPrecision>(env, exports, "setPrecision");
}

}  // namespace seqcore
