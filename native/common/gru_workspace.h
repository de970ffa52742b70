// The GRU's workspace layout and per-layer view, shared by the CPU (native/cpu/gru.cc) and
// CUDA (native/cuda/gru.cu) implementations, which therefore size and address it alike:
//   [gates of every layer (total×4H each: r, z, n, ghn), if saved]
//   [outputs of the layers below the top (total×H each)]
//   [dropped input, mask of each upper layer (total×H each), if dropout]
// The top layer's output is the op's output, not in the workspace.
#pragma once
#include <cstdint>

#include "common/kernel_types.h"

namespace seqcore {

inline int64_t gru_workspace_size(int64_t L, int64_t total, int64_t H, bool save, bool dropout) {
  return (save ? L * total * 4 * H : 0) + (L - 1) * total * H + (dropout ? (L - 1) * total * 2 * H : 0);
}

struct GruWorkspaceView {
  float* base;
  int64_t total, H, L;
  bool save;
  float* top;
  int64_t gate_floats() const { return save ? L * total * 4 * H : 0; }
  float* gates(int64_t l) const { return save ? base + l * total * 4 * H : nullptr; }
  float* out(int64_t l) const { return l == L - 1 ? top : base + gate_floats() + l * total * H; }
  float* dropped(int64_t l) const { return base + gate_floats() + (L - 1) * total * H + (l - 1) * total * 2 * H; }
  float* mask(int64_t l) const { return dropped(l) + total * H; }
};

// One layer's tensors.
struct GruLayer {
  const float* x;  // total×E, the layer's input
  int64_t E, H;
  const float *w_ih, *w_hh, *b_ih, *b_hh;
  float* out;    // total×H
  float* gates;  // total×4H, or null when not saved
};

// Layer l of a forward with dropout p: its input is x (l = 0), else the dropped or plain
// output of the layer below.
inline GruLayer gru_layer(const GruWeights& w, const GruWorkspaceView& v, const float* x, float p, int64_t l) {
  const float* in = l == 0 ? x : (p > 0.f ? v.dropped(l) : v.out(l - 1));
  return {in, l == 0 ? w.E : w.H, w.H, w.w_ih[l], w.w_hh[l], w.b_ih[l], w.b_hh[l], v.out(l), v.gates(l)};
}

}  // namespace seqcore
