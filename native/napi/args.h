// Argument checking for every native entry point: a wrong type, a size that does not fit a
// buffer, or an unknown (disposed) storage id becomes a JavaScript error that names the
// function and the argument, never a crash.
#pragma once
#include <napi.h>

#include <cmath>
#include <string>

#include "napi/storage.h"

namespace seqcore {

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn, size_t count) : info_(info), fn_(fn) {
    if (info.Length() != count)
      fail("expects " + std::to_string(count) + " arguments, got " + std::to_string(info.Length()));
  }
  Napi::Env env() const { return info_.Env(); }

  [[noreturn]] void fail(const std::string& msg) const {
    throw Napi::TypeError::New(info_.Env(), std::string("seqcore native ") + fn_ + ": " + msg);
  }

  double num(size_t i, const char* name) const {
    if (!info_[i].IsNumber()) fail(std::string("argument '") + name + "' must be a number");
    double v = info_[i].As<Napi::Number>().DoubleValue();
    if (!std::isfinite(v)) fail(std::string("argument '") + name + "' must be finite");
    return v;
  }
  // A non-negative integer (a size, count or stride).
  int64_t size(size_t i, const char* name) const {
    double v = num(i, name);
    if (v < 0 || v != std::floor(v) || v > 9007199254740991.0)
      fail(std::string("argument '") + name + "' must be a non-negative integer, got " + std::to_string(v));
    return static_cast<int64_t>(v);
  }
  int64_t integer(size_t i, const char* name) const {
    double v = num(i, name);
    if (v != std::floor(v) || std::fabs(v) > 9007199254740991.0)
      fail(std::string("argument '") + name + "' must be an integer");
    return static_cast<int64_t>(v);
  }
  // A dropout probability in [0, 1).
  float dropout(size_t i, const char* name) const {
    double p = num(i, name);
    if (p < 0 || p >= 1) fail(std::string("argument '") + name + "': dropout probability must be in [0, 1), got " + std::to_string(p));
    return static_cast<float>(p);
  }
  // A dropout seed: an unsigned 32-bit integer.
  uint32_t seed(size_t i) const {
    int64_t s = size(i, "seed");
    if (s > 0xFFFFFFFFll) fail("argument 'seed' must fit in 32 bits");
    return static_cast<uint32_t>(s);
  }
  bool flag(size_t i, const char* name) const {
    if (!info_[i].IsBoolean()) fail(std::string("argument '") + name + "' must be a boolean");
    return info_[i].As<Napi::Boolean>().Value();
  }
  bool is_null(size_t i) const { return info_[i].IsNull() || info_[i].IsUndefined(); }

  // The buffer of a storage id, checked to hold at least `elems` values of T.
  template <class T>
  T* buf(size_t i, const char* name, int64_t elems) const {
    return reinterpret_cast<T*>(entry(i, name, elems, sizeof(T))->ptr);
  }
  template <class T>
  T* buf_or_null(size_t i, const char* name, int64_t elems) const {
    return is_null(i) ? nullptr : buf<T>(i, name, elems);
  }
  double id(size_t i, const char* name) const { return num(i, name); }

  const StorageEntry* entry(size_t i, const char* name, int64_t elems, size_t elem_bytes) const {
    double sid = num(i, name);
    const StorageEntry* e = storage_find(sid);
    if (!e) fail(std::string("argument '") + name + "' refers to storage " + std::to_string(static_cast<int64_t>(sid)) +
                 ", which does not exist or was freed (a disposed tensor?)");
    if (elems < 0 || static_cast<uint64_t>(elems) * elem_bytes > e->bytes)
      fail(std::string("argument '") + name + "' holds " + std::to_string(e->bytes / elem_bytes) +
           " elements of " + std::to_string(elem_bytes) + " bytes, but the call needs " + std::to_string(elems));
    return e;
  }

 private:
  const Napi::CallbackInfo& info_;
  const char* fn_;
};

}  // namespace seqcore
