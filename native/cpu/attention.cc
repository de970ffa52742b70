#include "cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {
namespace {

// Float offset of each sorted sequence's probabilities (heads·L_i² floats each), plus the total.
std::vector<int64_t> prob_offsets(const PackedLayout& l, int64_t heads) {
  std::vector<int64_t> off(l.B + 1, 0);
  for (int64_t i = 0; i < l.B; ++i) off[i + 1] = off[i] + heads * l.lengths[i] * l.lengths[i];
  return off;
}

// Runs fn(i, h) for every (sequence, head) pair. Pairs are dealt round-robin: sequences are
// sorted longest first, so contiguous ranges would give one thread all the long ones.
template <class F>
void for_each_head(const PackedLayout& l, int64_t heads, F&& fn) {
  const int64_t tasks = l.B * heads;
  int64_t work = 0;
  for (int64_t i = 0; i < l.B; ++i) work += heads * l.lengths[i] * l.lengths[i];
  const int nt = static_cast<int>(std::min<int64_t>({num_threads(), tasks, std::max<int64_t>(1, work / 2048)}));
  parallel_run(
      [&](int tid, int n) {
        for (int64_t k = tid; k < tasks; k += n) fn(k / heads, k % heads);
      },
      std::max(nt, 1));
}

// Copies the dh columns starting at `col` of the L rows of sequence i into dst (L×dh).
void gather(const float* src, int64_t ld, int64_t col, const PackedLayout& l, int64_t i, int64_t L, int64_t dh,
            float* dst) {
  for (int64_t t = 0; t < L; ++t) std::copy_n(src + (l.offsets[t] + i) * ld + col, dh, dst + t * dh);
}

void scatter(const float* srcm, float* dst, int64_t ld, int64_t col, const PackedLayout& l, int64_t i, int64_t L,
             int64_t dh) {
  for (int64_t t = 0; t < L; ++t) std::copy_n(srcm + t * dh, dh, dst + (l.offsets[t] + i) * ld + col);
}

// The dropout multiplier of probs entry j: 1/(1−p) or 0, drawn from (seed, j); 1 without dropout.
struct DropMask {
  float p, keep;
  uint32_t seed;
  DropMask(float p, uint32_t seed) : p(p), keep(1.f / (1.f - p)), seed(seed) {}
  float operator()(int64_t j) const {
    return p > 0.f ? (dropout_uniform(seed, static_cast<uint64_t>(j)) >= p ? keep : 0.f) : 1.f;
  }
};

}  // namespace

int64_t attention_prob_floats(const PackedLayout& l, int64_t heads) { return prob_offsets(l, heads)[l.B]; }

void attention_forward(const float* qkv, const PackedLayout& l, int64_t D, int64_t heads, bool causal, float dropout,
                       uint32_t seed, float* out, float* probs) {
  const int64_t dh = D / heads, ld = 3 * D;
  const DropMask mask(dropout, seed);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const std::vector<int64_t> poff = prob_offsets(l, heads);
  for_each_head(l, heads, [&](int64_t i, int64_t h) {
    const int64_t L = l.lengths[i];
    std::vector<float> q(L * dh), k(L * dh), v(L * dh), o(L * dh, 0.f);
    gather(qkv, ld, h * dh, l, i, L, dh, q.data());
    gather(qkv, ld, D + h * dh, l, i, L, dh, k.data());
    gather(qkv, ld, 2 * D + h * dh, l, i, L, dh, v.data());
    const int64_t base = poff[i] + h * L * L;
    float* P = probs + base;
    for (int64_t t = 0; t < L; ++t) {
      const int64_t seen = causal ? t + 1 : L;
      float* p = P + t * L;
      float mx = -INFINITY;
      for (int64_t s = 0; s < seen; ++s) {
        float dot = 0.f;
        for (int64_t d = 0; d < dh; ++d) dot += q[t * dh + d] * k[s * dh + d];
        p[s] = dot * scale;
        mx = std::max(mx, p[s]);
      }
      float sum = 0.f;
      for (int64_t s = 0; s < seen; ++s) sum += (p[s] = std::exp(p[s] - mx));
      const float inv = 1.f / sum;
      for (int64_t s = 0; s < seen; ++s) {
        p[s] *= inv;
        const float pm = p[s] * mask(base + t * L + s);
        for (int64_t d = 0; d < dh; ++d) o[t * dh + d] += pm * v[s * dh + d];
      }
      std::fill(p + seen, p + L, 0.f);
    }
    scatter(o.data(), out, D, h * dh, l, i, L, dh);
  });
}

void attention_backward(const float* qkv, const float* probs, const float* dout, const PackedLayout& l, int64_t D,
                        int64_t heads, bool causal, float dropout, uint32_t seed, float* dqkv) {
  const int64_t dh = D / heads, ld = 3 * D;
  const DropMask mask(dropout, seed);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const std::vector<int64_t> poff = prob_offsets(l, heads);
  for_each_head(l, heads, [&](int64_t i, int64_t h) {
    const int64_t L = l.lengths[i];
    std::vector<float> q(L * dh), k(L * dh), v(L * dh), dO(L * dh);
    std::vector<float> dq(L * dh, 0.f), dk(L * dh, 0.f), dv(L * dh, 0.f), ds(L);
    gather(qkv, ld, h * dh, l, i, L, dh, q.data());
    gather(qkv, ld, D + h * dh, l, i, L, dh, k.data());
    gather(qkv, ld, 2 * D + h * dh, l, i, L, dh, v.data());
    gather(dout, D, h * dh, l, i, L, dh, dO.data());
    const int64_t base = poff[i] + h * L * L;
    const float* P = probs + base;
    for (int64_t t = 0; t < L; ++t) {
      const int64_t seen = causal ? t + 1 : L;
      const float* p = P + t * L;
      const float* go = dO.data() + t * dh;
      float rowdot = 0.f;
      for (int64_t s = 0; s < seen; ++s) {
        const float m = mask(base + t * L + s), pm = p[s] * m;
        float dp = 0.f;
        for (int64_t d = 0; d < dh; ++d) {
          dp += go[d] * v[s * dh + d];
          dv[s * dh + d] += pm * go[d];
        }
        dp *= m;
        ds[s] = dp;
        rowdot += p[s] * dp;
      }
      for (int64_t s = 0; s < seen; ++s) {
        const float g = p[s] * (ds[s] - rowdot) * scale;
        for (int64_t d = 0; d < dh; ++d) {
          dq[t * dh + d] += g * k[s * dh + d];
          dk[s * dh + d] += g * q[t * dh + d];
        }
      }
    }
    scatter(dq.data(), dqkv, ld, h * dh, l, i, L, dh);
    scatter(dk.data(), dqkv, ld, D + h * dh, l, i, L, dh);
    scatter(dv.data(), dqkv, ld, 2 * D + h * dh, l, i, L, dh);
  });
}

}  // namespace seqcore
