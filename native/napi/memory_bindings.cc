// Storage, threads and ISA: the parts of the addon that are not kernels.
#include <cstring>

#include "cpu/aligned_buffer.h"
#include "cpu/cpu_features.h"
#include "cpu/peak.h"
#include "cpu/threadpool.h"
#include "napi/args.h"
#include "napi/bindings.h"

namespace seqcore {
namespace {

// alloc(bytes, zero): a new storage, zero-filled when `zero`.
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Args a(info, "alloc", 2);
  const size_t bytes = a.alloc_bytes(0);
  bool zero = a.flag(1, "zero");
  try {
    return Napi::Number::New(info.Env(), storage_alloc(bytes, zero));
  } catch (const std::bad_alloc&) {
    a.fail("out of memory allocating " + std::to_string(bytes) + " bytes");
  }
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  Args a(info, "free", 1);
  return Napi::Boolean::New(info.Env(), storage_free(a.id(0, "id")));
}

// Copies between a storage and a typed array, after checking the range fits the storage.
Napi::Value Transfer(const Napi::CallbackInfo& info, bool to_storage) {
  const char* fn = to_storage ? "write" : "read";
  Args a(info, fn, 3);
  const Args::Transfer t = a.transfer(to_storage ? "writing" : "reading");
  if (to_storage)
    std::memcpy(t.storage, t.host, t.bytes);
  else
    std::memcpy(t.host, t.storage, t.bytes);
  return info.Env().Undefined();
}

// write(id, typedArray, byteOffset): copies the typed array's bytes into the storage.
Napi::Value Write(const Napi::CallbackInfo& info) { return Transfer(info, true); }
// read(id, typedArray, byteOffset): fills the typed array from the storage.
Napi::Value Read(const Napi::CallbackInfo& info) { return Transfer(info, false); }

// copy(src, dst, bytes)
Napi::Value Copy(const Napi::CallbackInfo& info) {
  Args a(info, "copy", 3);
  int64_t bytes = a.size(2, "bytes");
  const char* src = a.buf<char>(0, "src", bytes);
  char* dst = a.buf<char>(1, "dst", bytes);
  std::memmove(dst, src, static_cast<size_t>(bytes));
  return info.Env().Undefined();
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  Args a(info, "stats", 0);
  const StorageStats s = storage_stats();
  auto o = Napi::Object::New(info.Env());
  o.Set("liveBytes", Napi::Number::New(info.Env(), static_cast<double>(s.live_bytes)));
  o.Set("liveCount", Napi::Number::New(info.Env(), static_cast<double>(s.live_count)));
  o.Set("cachedBytes", Napi::Number::New(info.Env(), static_cast<double>(s.cached_bytes)));
  o.Set("scratchBytes", Napi::Number::New(info.Env(), static_cast<double>(scratch_pooled_bytes())));
  o.Set("cacheLimit", Napi::Number::New(info.Env(), static_cast<double>(s.cache_limit)));
  return o;
}

// setCacheLimit(bytes): how many bytes of freed blocks to keep for reuse (0: none).
Napi::Value SetCacheLimit(const Napi::CallbackInfo& info) {
  Args a(info, "setCacheLimit", 1);
  storage_set_cache_limit(static_cast<size_t>(a.size(0, "bytes")));
  return info.Env().Undefined();
}

Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  Args a(info, "emptyCache", 0);
  storage_empty_cache();
  scratch_trim();
  return info.Env().Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Args a(info, "setThreads", 1);
  int64_t n = a.size(0, "threads");
  if (n < 1 || n > 64) a.fail("threads must be in 1..64, got " + std::to_string(n));
  set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value Threads(const Napi::CallbackInfo& info) {
  Args a(info, "threads", 0);
  return Napi::Number::New(info.Env(), num_threads());
}

Napi::Value GetIsa(const Napi::CallbackInfo& info) {
  Args a(info, "isa", 0);
  auto o = Napi::Object::New(info.Env());
  o.Set("active", isa_name(active_isa()));
  o.Set("best", isa_name(detect_isa()));
  return o;
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  Args a(info, "setIsa", 1);
  if (!info[0].IsString()) a.fail("argument 'isa' must be a string");
  std::string name = info[0].As<Napi::String>();
  Isa isa;
  if (name == "avx512")
    isa = Isa::Avx512;
  else if (name == "avx2")
    isa = Isa::Avx2;
  else if (name == "scalar")
    isa = Isa::Scalar;
  else
    a.fail("unknown isa '" + name + "' (expected avx512, avx2 or scalar)");
  if (!set_isa(isa)) a.fail("this CPU does not support " + name);
  return info.Env().Undefined();
}

Napi::Value PeakGflops(const Napi::CallbackInfo& info) {  // peakGflops(seconds, threads)
  Args a(info, "peakGflops", 2);
  double secs = a.num(0, "seconds");
  if (secs <= 0 || secs > 60) a.fail("seconds must be in (0, 60]");
  int64_t threads = a.size(1, "threads");
  if (threads > 64) a.fail("threads must be in 0..64 (0: all), got " + std::to_string(threads));
  return Napi::Number::New(info.Env(), measure_peak_gflops(secs, static_cast<int>(threads)));
}

}  // namespace

void register_memory(Napi::Env env, Napi::Object exports) {
  export_fn<Alloc>(env, exports, "alloc");
  export_fn<Free>(env, exports, "free");
  export_fn<Write>(env, exports, "write");
  export_fn<Read>(env, exports, "read");
  export_fn<Copy>(env, exports, "copy");
  export_fn<Stats>(env, exports, "stats");
  export_fn<SetCacheLimit>(env, exports, "setCacheLimit");
  export_fn<EmptyCache>(env, exports, "emptyCache");
  export_fn<SetThreads>(env, exports, "setThreads");
  export_fn<Threads>(env, exports, "threads");
  export_fn<GetIsa>(env, exports, "isa");
  export_fn<SetIsa>(env, exports, "setIsa");
  export_fn<PeakGflops>(env, exports, "peakGflops");
}

}  // namespace seqcore
