// The persistent GRU recurrence (gru_persistent.cu): all T steps of one layer in one
// cooperative launch, each CTA keeping its slice of W_hh in shared memory across the steps.
// gru.cu chooses between it and the per-step path (one cuBLASLt GEMM + one cell kernel per
// step) with gru_use_persistent; the input projection and the weight gradients stay in gru.cu.
//
// Environment (read at each call):
//   SEQCORE_GRU=persistent|per-step  forces a path (benchmarks, tests); persistent where it
//                                    cannot run is an error. Unset (or "auto"): persistent
//                                    where it runs and the steps have few active rows.
//   SEQCORE_GRU_GRID=n               caps the persistent grid at n CTAs (tests: few CTAs, or
//                                    n >= H for one hidden unit per CTA).
#pragma once
#include <cstdint>

namespace seqcore {
namespace cuda {

// "persistent", or "per-step (<reason>)": the path a GRU over a batch of B sequences (T steps,
// total packed rows) with hidden size H takes, forward and backward, on this device (for doctor
// and the profiler). Never throws; a static string.
const char* gru_algorithm(int64_t B, int64_t T, int64_t total, int64_t H);

// Whether the forward (backward = false) or the backward recurrence of a batch of B
// sequences (T steps, total packed rows), hidden size H, takes the persistent path. Throws
// std::runtime_error when SEQCORE_GRU=persistent and it cannot run, or SEQCORE_GRU has another
// value.
bool gru_use_persistent(bool backward, int64_t B, int64_t T, int64_t total, int64_t H);

// One layer's recurrence, forward, after gi = x·W_ihᵀ (total×3H, no bias) for every packed
// row. Device pointers: offsets: T+1 packed row offsets; sorted: B; h0s: B×H initial state in
// sorted order; out: total×H; gates: total×4H (r, z, n, ghn) or null; hn: B×H, written in the
// original order (row sorted[i] = the final state of sorted row i).
void gru_persistent_forward(const float* gi, const float* w_hh, const float* b_ih, const float* b_hh, const float* h0s,
                            const int64_t* offsets, const int32_t* sorted, int64_t B, int64_t T, int64_t H, float* out,
                            float* gates, float* hn);

// One layer's recurrence, backward: per step in reverse dgi, dgh (total×3H, packed rows) and
// carry (B×H, sorted order; in: ∂L/∂ final states, out: ∂L/∂h0). h0s: B×H sorted; out, gates:
// the forward's; dout: total×H or null. The weight and input gradients are left to gru.cu.
void gru_persistent_backward(const float* w_hh, const float* h0s, const float* out, const float* gates,
                             const float* dout, const int64_t* offsets, int64_t B, int64_t T, int64_t H, float* carry,
                             float* dgi, float* dgh);

}  // namespace cuda
}  // namespace seqcore
