// JavaScript entry points of the dtype casts (native/cpu/cast.cc, native/cuda/cast.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// cast(kind, x, y, n): kind is "f32>f16", "f16>f32", "i32>f32", "i64>i32" or "i32>i64".
Napi::Value Cast(Info info) {
  Args a(info, "cast", 4);
  if (!info[0].IsString()) a.fail("argument 'kind' must be a string");
  std::string kind = info[0].As<Napi::String>();
  int64_t n = a.size(3, "n");
  if (kind == "f32>f16")
    backend::cast_f32_f16(a.buf<float>(1, "x", n), a.buf<uint16_t>(2, "y", n), n);
  else if (kind == "f16>f32")
    backend::cast_f16_f32(a.buf<uint16_t>(1, "x", n), a.buf<float>(2, "y", n), n);
  else if (kind == "i32>f32")
    backend::cast_i32_f32(a.buf<int32_t>(1, "x", n), a.buf<float>(2, "y", n), n);
  else if (kind == "i32>i64")
    backend::cast_i32_i64(a.buf<int32_t>(1, "x", n), a.buf<int64_t>(2, "y", n), n);
  else if (kind == "i64>i32") {
    const int64_t* x = a.buf<int64_t>(1, "x", n);
    int64_t bad = backend::cast_i64_i32(x, a.buf<int32_t>(2, "y", n), n);
    if (bad >= 0)
      a.fail("value " + std::to_string(x[bad]) + " at index " + std::to_string(bad) + " does not fit in int32");
  } else
    a.fail("unknown cast '" + kind + "'");
  return Undef(info);
}

}  // namespace

void register_cast(Napi::Env env, Napi::Object exports) { export_fn<Cast>(env, exports, "cast"); }

}  // namespace seqcore
