// Implicit-feedback ALS (Hu, Koren & Volinsky 2008) with conjugate-gradient solves
// (Takács, Pilászy & Tikk 2011): one half-step updates the factors X of the rows of a CSR
// matrix against fixed column factors Y.
//   rows × cols sparse; values v_ij ≥ 0 give confidence c_ij = 1 + v_ij and preference 1
//   X: rows × K (updated in place, warm start); Y: cols × K
//   minimises Σ_j c_ij (p_ij − x_i·y_j)² + λ‖x_i‖² per row with cg_steps CG iterations
#pragma once
#include <cstdint>

namespace seqcore {

void als_half_step(const int64_t* indptr, const int32_t* indices, const float* values, int64_t rows, const float* Y,
                   int64_t cols, float* X, int64_t K, float lambda, int cg_steps);

}  // namespace seqcore
