#pragma once
#include <napi.h>

#include <exception>
#include <string>

namespace seqcore {

void register_memory(Napi::Env env, Napi::Object exports);
void register_kernels(Napi::Env env, Napi::Object exports);
void register_sequences(Napi::Env env, Napi::Object exports);

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
