// Argument checking for every native entry point: a wrong type, a size that does not fit a
// buffer, or an unknown (disposed) storage id becomes a JavaScript error that names the
// function and the argument, never a crash.
#pragma once
#include <napi.h>

#include <cmath>
#include <string>

#include "common/checked.h"
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
  // Whether v is a size: a non-negative integer that a double holds exactly.
  static bool is_size(double v) { return v >= 0 && v <= 9007199254740991.0 && v == std::floor(v); }
  // A non-negative integer (a size, count or stride).
  int64_t size(size_t i, const char* name) const {
    double v = num(i, name);
    if (!is_size(v))
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
    if (p < 0 || p >= 1)
      fail(std::string("argument '") + name + "': dropout probability must be in [0, 1), got " + std::to_string(p));
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

  // Overflow-checked size arithmetic: a product or sum of sizes that does not fit in int64
  // fails, naming it (`what`, e.g. "rows × D"), where wrapping would yield a small size that
  // passes the buffer checks and lets a kernel run past its buffers.
  int64_t mul(int64_t x, int64_t y, const char* what) const {
    int64_t r;
    if (mul_overflows(x, y, &r))
      fail(std::string(what) + " overflows: " + std::to_string(x) + " × " + std::to_string(y));
    return r;
  }
  int64_t mul(int64_t x, int64_t y, int64_t z, const char* what) const { return mul(mul(x, y, what), z, what); }
  int64_t add(int64_t x, int64_t y, const char* what) const {
    int64_t r;
    if (add_overflows(x, y, &r))
      fail(std::string(what) + " overflows: " + std::to_string(x) + " + " + std::to_string(y));
    return r;
  }

  // The buffer of a storage id, from element `offset` on, checked to hold `elems` values of T there.
  template <class T>
  T* buf(size_t i, const char* name, int64_t elems, int64_t offset = 0) const {
    return reinterpret_cast<T*>(entry(i, name, elems, sizeof(T), offset)->ptr) + offset;
  }
  template <class T>
  T* buf_or_null(size_t i, const char* name, int64_t elems) const {
    return is_null(i) ? nullptr : buf<T>(i, name, elems);
  }
  double id(size_t i, const char* name) const { return num(i, name); }

  // The byte count of an allocation (argument i), refused beyond 1 TiB.
  size_t alloc_bytes(size_t i) const {
    const int64_t bytes = size(i, "bytes");
    if (bytes > (int64_t(1) << 40)) fail("refusing to allocate " + std::to_string(bytes) + " bytes");
    return static_cast<size_t>(bytes);
  }

  // A read or write between storage argument 0 and the typed array argument 1, at byteOffset
  // argument 2 of the storage, checked to fit the storage; `verb` ("reading", "writing")
  // names it in errors. Every addon's read and write use it, whatever memory they copy.
  struct Transfer {
    char* storage;
    char* host;
    size_t bytes;
  };
  Transfer transfer(const char* verb) const {
    if (!info_[1].IsTypedArray()) fail("argument 'data' must be a typed array");
    auto ta = info_[1].As<Napi::TypedArray>();
    const int64_t off = size(2, "byteOffset");
    const StorageEntry* e = entry(0, "id", 0, 1);
    if (static_cast<uint64_t>(add(off, static_cast<int64_t>(ta.ByteLength()), "byteOffset + data bytes")) > e->bytes)
      fail(std::string(verb) + " " + std::to_string(ta.ByteLength()) + " bytes at offset " + std::to_string(off) +
           " overruns a storage of " + std::to_string(e->bytes) + " bytes");
    return {static_cast<char*>(e->ptr) + off, static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(),
            ta.ByteLength()};
  }

  const StorageEntry* entry(size_t i, const char* name, int64_t elems, size_t elem_bytes, int64_t offset = 0) const {
    return storage(num(i, name), name, -1, elems, elem_bytes, offset);
  }
  // The storage `sid`, checked to hold `offset + elems` values of `elem_bytes` bytes. Errors
  // call it argument `name`, or `name[index]` when it is an element of an array argument.
  const StorageEntry* storage(double sid, const char* name, int64_t index, int64_t elems, size_t elem_bytes,
                              int64_t offset = 0) const {
    const StorageEntry* e = storage_find(sid);
    auto label = [&] {
      return index < 0 ? std::string("argument '") + name + "'" : std::string(name) + "[" + std::to_string(index) + "]";
    };
    if (!e)
      fail(label() + " refers to storage " +
           (is_size(sid) ? std::to_string(static_cast<int64_t>(sid)) : std::to_string(sid)) +
           ", which does not exist or was freed (a disposed tensor?)");
    const int64_t end = add(offset, elems, "offset + elements");
    uint64_t bytes;
    if (elems < 0 || mul_overflows<uint64_t>(static_cast<uint64_t>(end), elem_bytes, &bytes) || bytes > e->bytes)
      fail(label() + " holds " + std::to_string(e->bytes / elem_bytes) + " elements of " + std::to_string(elem_bytes) +
           " bytes, but the call needs " + std::to_string(end));
    return e;
  }

 private:
  const Napi::CallbackInfo& info_;
  const char* fn_;
};

}  // namespace seqcore
