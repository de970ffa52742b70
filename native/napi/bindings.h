#pragma once
#include <napi.h>

#include <exception>
#include <string>

namespace seqcore {

// The addon's own memory and device entry points (native/napi/memory_bindings.cc for cpu,
// native/napi/cuda/ for CUDA).
void register_memory(Napi::Env env, Napi::Object exports);

// Kernel entry points, one per family (native/napi/kernels/*.cc); both addons register all.
void register_gemm(Napi::Env env, Napi::Object exports);
void register_elementwise(Napi::Env env, Napi::Object exports);
void register_layernorm(Napi::Env env, Napi::Object exports);
void register_dropout(Napi::Env env, Napi::Object exports);
void register_embedding(Napi::Env env, Napi::Object exports);
void register_concat(Napi::Env env, Napi::Object exports);
void register_reduce(Napi::Env env, Napi::Object exports);
void register_softmax_xent(Napi::Env env, Napi::Object exports);
void register_losses(Napi::Env env, Napi::Object exports);
void register_adam(Napi::Env env, Napi::Object exports);
void register_cast(Napi::Env env, Napi::Object exports);
void register_als(Napi::Env env, Napi::Object exports);
void register_pack(Napi::Env env, Napi::Object exports);
void register_gru(Napi::Env env, Napi::Object exports);
void register_attention(Napi::Env env, Napi::Object exports);

inline void register_kernels(Napi::Env env, Napi::Object exports) {
  register_gemm(env, exports);
  register_elementwise(env, exports);
  register_layernorm(env, exports);
  register_dropout(env, exports);
  register_embedding(env, exports);
  register_concat(env, exports);
  register_reduce(env, exports);
  register_softmax_xent(env, exports);
  register_losses(env, exports);
  register_adam(env, exports);
  register_cast(env, exports);
  register_als(env, exports);
  register_pack(env, exports);
  register_gru(env, exports);
  register_attention(env, exports);
}

// Every entry point is wrapped so that a C++ exception from a kernel (out of memory, say)
// becomes a JavaScript error instead of terminating the process.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("seqcore native: ") + e.what());
  }
}

template <Napi::Value (*F)(const Napi::CallbackInfo&)>
void export_fn(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, guarded<F>, name));
}

}  // namespace seqcore
