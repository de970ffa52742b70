#pragma once
#include <napi.h>

namespace seqcore {
void register_memory(Napi::Env env, Napi::Object exports);
void register_kernels(Napi::Env env, Napi::Object exports);
}  // namespace seqcore
