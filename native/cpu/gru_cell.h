// The GRU's fused pointwise step (PyTorch/cuDNN gate order r, z, n; "reset after"), over
// `rows` rows of one time step. Compiled once per SIMD path (gru_cell_*.cc include
// gru_cell.inc) and chosen at run time like the GEMM micro-kernel.
//   gi: rows×3H   x·W_ihᵀ (no bias), row stride 3H
//   gh: rows×3H   h_prev·W_hhᵀ (no bias)
//   hprev, h: rows×H
//   gates: rows×4H  saved for backward: r, z, n, ghn = (h_prev·W_hnᵀ + b_hn); null in
//                   inference
#pragma once
#include <cstdint>

namespace seqcore {

struct GruCellKernels {
  void (*forward)(int64_t rows, int64_t H, const float* gi, const float* gh, const float* b_ih, const float* b_hh,
                  const float* hprev, float* h, float* gates);
  // dh: rows×H gradient w.r.t. h → dgi (rows×3H, w.r.t. x·W_ihᵀ + b_ih), dgh (rows×3H, w.r.t.
  // h_prev·W_hhᵀ + b_hh) and dhp (rows×H) = dh·z, the direct part of the gradient w.r.t. h_prev.
  void (*backward)(int64_t rows, int64_t H, const float* dh, const float* hprev, const float* gates, float* dgi,
                   float* dgh, float* dhp);
};

GruCellKernels gru_cell_kernels();  // for the active ISA
GruCellKernels gru_cell_scalar();
GruCellKernels gru_cell_avx2();
GruCellKernels gru_cell_avx512();

}  // namespace seqcore
