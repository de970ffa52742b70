// Multi-head scaled dot-product self-attention over a packed batch (native/cpu/pack.h's
// layout: row offset(t) + i is step t of the i-th longest sequence), so padding is never
// computed and no key ever sees another sequence.
//   qkv:   total×3D, row = [q | k | v], head h in columns h·dh … (h+1)·dh − 1 of each third
//   out:   total×D,  out_t = Σ_k P_tk v_k per head
//   probs: per sorted sequence i (length L_i), per head, the L_i×L_i softmax P (row = query);
//          entries a causal query cannot see are stored as 0. attention_prob_floats() sizes it.
// P_tk = softmax_k(q_t·k_k / √dh) over the keys query t sees: k ≤ t when causal, all k < L_i
// otherwise. Backward (dqkv overwritten):
//   dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ∘ (dP − rowsum(P ∘ dP)),  dQ = dS·K/√dh,  dK = dSᵀ·Q/√dh
// Attention dropout (p > 0): out = (P ∘ M)·V with M = 1/(1−p) where dropout_uniform(seed, j) ≥ p
// for probs index j, else 0. probs keeps P undropped; backward redraws M from (seed, j), so
// no mask is stored: then P is replaced by P ∘ M in dV and dP by dP ∘ M above.
#pragma once
#include <cstdint>

#include "cpu/pack.h"

namespace seqcore {

int64_t attention_prob_floats(const PackedLayout& l, int64_t heads);
void attention_forward(const float* qkv, const PackedLayout& l, int64_t D, int64_t heads, bool causal, float dropout,
                       uint32_t seed, float* out, float* probs);
void attention_backward(const float* qkv, const float* probs, const float* dout, const PackedLayout& l, int64_t D,
                        int64_t heads, bool causal, float dropout, uint32_t seed, float* dqkv);

}  // namespace seqcore
