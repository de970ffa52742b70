// JavaScript entry points of the concat and split along the last axis (native/cpu/concat.cc, native/cuda/concat.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// Parts of concat/split: (ids array, widths array) → pointers, each part checked to hold
// rows × width floats; *total is the sum of the widths.
template <class P>
std::vector<P> parts(const Args& a, Info info, size_t ids_i, size_t widths_i, int64_t rows,
                     std::vector<int64_t>& widths, int64_t* total) {
  if (!info[ids_i].IsArray() || !info[widths_i].IsArray()) a.fail("parts and widths must be arrays");
  auto ids = info[ids_i].As<Napi::Array>();
  auto ws = info[widths_i].As<Napi::Array>();
  if (ids.Length() != ws.Length() || ids.Length() == 0)
    a.fail("parts and widths must be non-empty and of equal length");
  std::vector<P> ptrs;
  *total = 0;
  for (uint32_t p = 0; p < ids.Length(); ++p) {
    Napi::Value idv = ids[p], wv = ws[p];
    if (!idv.IsNumber() || !wv.IsNumber()) a.fail("part " + std::to_string(p) + " is not a (storage id, width) pair");
    double w = wv.As<Napi::Number>().DoubleValue();
    if (!Args::is_size(w)) a.fail("width of part " + std::to_string(p) + " must be a non-negative integer");
    widths.push_back(static_cast<int64_t>(w));
    *total = a.add(*total, widths.back(), "sum of widths");
    const StorageEntry* e =
        a.storage(idv.As<Napi::Number>().DoubleValue(), "parts", p, a.mul(rows, widths.back(), "rows × width"), 4);
    ptrs.push_back(static_cast<P>(e->ptr));
  }
  return ptrs;
}

Napi::Value Concat(Info info) {  // concat(partIds, widths, out, rows)
  Args a(info, "concat", 4);
  int64_t rows = a.size(3, "rows");
  std::vector<int64_t> w;
  int64_t width;
  auto ps = parts<const float*>(a, info, 0, 1, rows, w, &width);
  backend::concat_last(ps.data(), w.data(), static_cast<int64_t>(w.size()),
                       a.buf<float>(2, "out", a.mul(rows, width, "rows × width")), rows);
  return Undef(info);
}

Napi::Value Split(Info info) {  // split(x, partIds, widths, rows)
  Args a(info, "split", 4);
  int64_t rows = a.size(3, "rows");
  std::vector<int64_t> w;
  int64_t width;
  auto ps = parts<float*>(a, info, 1, 2, rows, w, &width);
  backend::split_last(a.buf<float>(0, "x", a.mul(rows, width, "rows × width")), ps.data(), w.data(),
                      static_cast<int64_t>(w.size()), rows);
  return Undef(info);
}

}  // namespace

void register_concat(Napi::Env env, Napi::Object exports) {
  export_fn<Concat>(env, exports, "concat");
  export_fn<Split>(env, exports, "split");
}

}  // namespace seqcore
