// Types in the kernel signatures of every backend (native/cpu, native/cuda): op codes,
// optimizer settings, and a GRU's weights and gradients (device pointers on cuda).
#pragma once
#include <cstdint>
#include <vector>

namespace seqcore {

// Op codes shared with ts/backend/native/elementwise.ts.
enum class BinaryOp { Add = 0, Sub = 1, Mul = 2 };
enum class UnaryOp { Sigmoid = 0, Tanh = 1, Relu = 2, Gelu = 3 };

// One fused step of Adam (decoupled = false) or AdamW (decoupled = true); the gradients'
// clip factor is not here: the kernels read it on the device (grad_clip's out[1]).
struct AdamParams {
  float lr, beta1, beta2, eps, weight_decay;
  bool decoupled;
  int64_t step;  // 1-based, for bias correction
};

// A multi-layer GRU, PyTorch's layout: layer l has W_ih (3H×E_l), W_hh (3H×H), b_ih, b_hh (3H).
struct GruWeights {
  int64_t E, H, L;
  std::vector<const float*> w_ih, w_hh, b_ih, b_hh;  // L each
};

struct GruGrads {
  float* dx;                                       // total×E (may be null)
  std::vector<float*> dw_ih, dw_hh, db_ih, db_hh;  // L each, overwritten
  float* dh0;                                      // L×B×H original order (may be null)
};

}  // namespace seqcore
