// JavaScript entry points that pack padded batches and unpack them (native/cpu/pack.cc, native/cuda/pack.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

Napi::Value Pack(Info info, bool pack) {  // (src, Tpad, E, batchSizes, sortedIndices, dst)
  Args a(info, pack ? "packPadded" : "unpackPadded", 6);
  int64_t Tpad = a.size(1, "Tpad"), E = a.size(2, "E");
  PackedLayout l = layout(a, info, 3, 4);
  if (Tpad < l.T)
    a.fail("padded length " + std::to_string(Tpad) + " is shorter than the longest sequence (" + std::to_string(l.T) +
           ")");
  const int64_t padded = a.mul(l.B, Tpad, E, "B × Tpad × E"), packed = a.mul(l.total, E, "total × E");
  if (pack)
    backend::pack_padded(a.buf<float>(0, "padded", padded), Tpad, E, l, a.buf<float>(5, "packed", packed));
  else
    backend::unpack_padded(a.buf<float>(0, "packed", packed), Tpad, E, l, a.buf<float>(5, "padded", padded));
  return info.Env().Undefined();
}

Napi::Value PackPadded(Info info) { return Pack(info, true); }
Napi::Value UnpackPadded(Info info) { return Pack(info, false); }

}  // namespace

void register_pack(Napi::Env env, Napi::Object exports) {
  export_fn<PackPadded>(env, exports, "packPadded");
  export_fn<UnpackPadded>(env, exports, "unpackPadded");
}

}  // namespace seqcore
