// A multi-layer GRU over a packed batch (pack.h), PyTorch's layout and gate order:
//   layer l: W_ih (3H×E_l), W_hh (3H×H), b_ih (3H), b_hh (3H); E_0 = E, E_l = H after.
// Forward per layer: one GEMM for the input projection of every step, then the recurrence:
// the threads split the sequences (rows of the sorted batch) once for all steps, since a
// row's state depends only on its own past, and each step is one GEMM on the active rows
// against W_hh packed once, plus the fused cell. Backward mirrors it; weight gradients are
// three large GEMMs over all steps.
#pragma once
#include <cstdint>
#include <vector>

#include "common/kernel_types.h"
#include "cpu/pack.h"

namespace seqcore {

// Floats of the workspace of a forward: the outputs of layers below the top (total×H each);
// when `save` (a backward will follow), every layer's gates (total×4H); when dropout is on,
// each upper layer's dropped input and mask (total×H each).
int64_t gru_workspace_floats(int64_t L, int64_t total, int64_t H, bool save, bool dropout);

// x: total×E; h0: L×B×H original order or null (zeros); out: total×H (top layer);
// hn: L×B×H original order. Dropout p between layers (training only: pass 0 otherwise),
// mask of layer l drawn from dropout_uniform(seed + l, index). Without `save` the gates
// are not kept (inference).
void gru_forward(const float* x, const GruWeights& w, const float* h0, const PackedLayout& l, float p, uint32_t seed,
                 bool save, float* ws, float* out, float* hn);

// ws and out as left by gru_forward with save; dout: total×H or null; dhn: L×B×H original
// order or null.
void gru_backward(const float* x, const GruWeights& w, const float* h0, const PackedLayout& l, float p, const float* ws,
                  const float* out, const float* dout, const float* dhn, const GruGrads& g);

}  // namespace seqcore
