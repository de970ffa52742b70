// JavaScript entry points of the multi-layer GRU (native/cpu/gru.cc, native/cuda/gru.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// Arguments 1..3 of both GRU entry points, and the floats of one layer's parameters.
struct Dims {
  int64_t E, H, L;
  int64_t bias, w_ih0, w_hh;  // 3H; 3H×E (layer 0's w_ih); 3H×H (w_hh, and w_ih of later layers)
  int64_t w_ih(int64_t layer) const { return layer == 0 ? w_ih0 : w_hh; }
};
Dims dims(const Args& a) {
  Dims d{a.size(1, "E"), a.size(2, "H"), a.size(3, "L"), 0, 0, 0};
  if (d.E < 1 || d.H < 1 || d.L < 1) a.fail("E, H and L must be positive");
  d.bias = a.mul(3, d.H, "3 × H");
  d.w_ih0 = a.mul(d.bias, d.E, "3 × H × E");
  d.w_hh = a.mul(d.bias, d.H, "3 × H × H");
  return d;
}

GruWeights weights(const Args& a, Info info, size_t first, const Dims& d, bool biases) {
  GruWeights w{d.E, d.H, d.L, {}, {}, {}, {}};
  w.w_ih = buffer_array<const float*>(a, info, first, "wIh", d.L, [&](int64_t k) { return d.w_ih(k); });
  w.w_hh = buffer_array<const float*>(a, info, first + 1, "wHh", d.L, [&](int64_t) { return d.w_hh; });
  if (biases) {
    w.b_ih = buffer_array<const float*>(a, info, first + 2, "bIh", d.L, [&](int64_t) { return d.bias; });
    w.b_hh = buffer_array<const float*>(a, info, first + 3, "bHh", d.L, [&](int64_t) { return d.bias; });
  } else {
    w.b_ih.assign(d.L, nullptr);
    w.b_hh.assign(d.L, nullptr);
  }
  return w;
}

// gru_workspace_floats, after checking that its arithmetic stays in range: it is at most
// 7 × L × total × H.
int64_t workspace_floats(const Args& a, int64_t L, int64_t total, int64_t H, bool save, bool dropout) {
  a.mul(a.mul(L, total, H, "L × total × H"), 7, "7 × L × total × H");
  return backend::gru_workspace_floats(L, total, H, save, dropout);
}

// gruForward(x, E, H, L, wIh[], wHh[], bIh[], bHh[], h0|null, batchSizes, sortedIndices,
//            dropout, seed, save, workspace, out, hn)
Napi::Value GruForward(Info info) {
  Args a(info, "gruForward", 17);
  const Dims d = dims(a);
  GruWeights w = weights(a, info, 4, d, true);
  PackedLayout l = layout(a, info, 9, 10);
  float p = a.dropout(11, "dropout");
  bool save = a.flag(13, "save");
  if (a.id(15, "out") == a.id(14, "workspace")) a.fail("out must not share storage with the workspace");
  const int64_t hidden = a.mul(d.L, l.B, d.H, "L × B × H");
  backend::gru_forward(a.buf<float>(0, "x", a.mul(l.total, d.E, "total × E")), w, a.buf_or_null<float>(8, "h0", hidden),
                       l, p, a.seed(12), save,
                       a.buf<float>(14, "workspace", workspace_floats(a, d.L, l.total, d.H, save, p > 0.f)),
                       a.buf<float>(15, "out", a.mul(l.total, d.H, "total × H")), a.buf<float>(16, "hn", hidden));
  return info.Env().Undefined();
}

// gruBackward(x, E, H, L, wIh[], wHh[], h0|null, batchSizes, sortedIndices, dropout, workspace,
//             out, dout|null, dhn|null, dx|null, dwIh[], dwHh[], dbIh[], dbHh[], dh0|null)
Napi::Value GruBackward(Info info) {
  Args a(info, "gruBackward", 20);
  const Dims d = dims(a);
  GruWeights w = weights(a, info, 4, d, false);
  PackedLayout l = layout(a, info, 7, 8);
  float p = a.dropout(9, "dropout");
  const int64_t inputs = a.mul(l.total, d.E, "total × E"), outputs = a.mul(l.total, d.H, "total × H");
  const int64_t hidden = a.mul(d.L, l.B, d.H, "L × B × H");
  GruGrads g;
  g.dx = a.buf_or_null<float>(14, "dx", inputs);
  g.dw_ih = buffer_array<float*>(a, info, 15, "dwIh", d.L, [&](int64_t k) { return d.w_ih(k); });
  g.dw_hh = buffer_array<float*>(a, info, 16, "dwHh", d.L, [&](int64_t) { return d.w_hh; });
  g.db_ih = buffer_array<float*>(a, info, 17, "dbIh", d.L, [&](int64_t) { return d.bias; });
  g.db_hh = buffer_array<float*>(a, info, 18, "dbHh", d.L, [&](int64_t) { return d.bias; });
  g.dh0 = a.buf_or_null<float>(19, "dh0", hidden);
  backend::gru_backward(a.buf<float>(0, "x", inputs), w, a.buf_or_null<float>(6, "h0", hidden), l, p,
                        a.buf<float>(10, "workspace", workspace_floats(a, d.L, l.total, d.H, true, p > 0.f)),
                        a.buf<float>(11, "out", outputs), a.buf_or_null<float>(12, "dout", outputs),
                        a.buf_or_null<float>(13, "dhn", hidden), g);
  return info.Env().Undefined();
}

Napi::Value GruWorkspace(Info info) {  // gruWorkspaceFloats(L, total, H, save, dropout)
  Args a(info, "gruWorkspaceFloats", 5);
  const int64_t n =
      workspace_floats(a, a.size(0, "L"), a.size(1, "total"), a.size(2, "H"), a.flag(3, "save"), a.flag(4, "dropout"));
  if (!Args::is_size(static_cast<double>(n)))
    a.fail("a workspace of " + std::to_string(n) + " floats is not a size JavaScript holds exactly");
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

}  // namespace

void register_gru(Napi::Env env, Napi::Object exports) {
  export_fn<GruForward>(env, exports, "gruForward");
  export_fn<GruBackward>(env, exports, "gruBackward");
  export_fn<GruWorkspace>(env, exports, "gruWorkspaceFloats");
}

}  // namespace seqcore
