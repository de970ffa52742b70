// Multi-head self-attention over a packed batch: the contract, the probs layout and the
// dropout draws of native/cpu/attention.h / attention.cc (the reference).
//
// Forward: one block per (packed row r = query t of sorted sequence i, head h): scores over
// the keys the query sees (a warp per key), softmax in shared memory, the row of P written to
// probs (unseen keys 0), then out_t = Σ_s P_ts·M_ts·v_s.
// Backward, without float atomics, in two passes over the same grid:
//   1. per (query row, head): dP_ts = (dO_t·v_s)·M_ts, dS_ts = P_ts·(dP_ts − Σ P∘dP)/√dh into
//      a scratch of the probs layout, and dQ_t = Σ_s dS_ts·k_s;
//   2. per (key row, head): dV_s = Σ_t P_ts·M_ts·dO_t and dK_s = Σ_t dS_ts·q_t over the queries
//      that see s, summed in a fixed order.
// The layout (offsets, lengths) and the per-sequence probs offsets are uploaded per call.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/device_math.h"
#include "cuda/kernels.h"
#include "cuda/runtime.h"

namespace seqcore {
namespace cuda {
namespace {

constexpr int kThreads = 128;  // per block, a multiple of 32
constexpr int kWarps = kThreads / 32;

// Float offset of each sorted sequence's probabilities (heads·L_i² floats each), plus the total.
std::vector<int64_t> prob_offsets(const PackedLayout& l, int64_t heads) {
  std::vector<int64_t> off(l.B + 1, 0);
  for (int64_t i = 0; i < l.B; ++i) off[i + 1] = off[i] + heads * l.lengths[i] * l.lengths[i];
  return off;
}

// The layout on the device (one upload: offsets | lengths | probs offsets).
struct DevLayout {
  const int64_t* offsets;  // T + 1: packed row of step t is offsets[t] + i
  const int64_t* lengths;  // B, sorted order
  const int64_t* poff;     // B + 1
  int64_t T;
};

// The dropout multiplier of probs entry j, as the CPU's DropMask: 1/(1−p) or 0; 1 without dropout.
struct DropMask {
  float p, keep;
  uint32_t seed;
  __device__ __forceinline__ float operator()(int64_t j) const {
    return p > 0.f ? (dropout_uniform(seed, static_cast<uint64_t>(j)) >= p ? keep : 0.f) : 1.f;
  }
};

// Packed row r → (step t, sorted sequence i): t is the last step with offsets[t] ≤ r (batch
// sizes are positive, so offsets strictly increase).
__device__ __forceinline__ void locate(const DevLayout& l, int64_t r, int64_t& t, int64_t& i) {
  int64_t lo = 0, hi = l.T - 1;
  while (lo < hi) {
    const int64_t mid = (lo + hi + 1) >> 1;
    if (l.offsets[mid] <= r)
      lo = mid;
    else
      hi = mid - 1;
  }
  t = lo;
  i = r - l.offsets[lo];
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Block-wide reduction; every thread gets the result, combined in the same fixed order.
template <bool kMax>
__device__ float block_reduce(float v, float* red) {
  for (int o = 16; o > 0; o >>= 1) {
    const float u = __shfl_xor_sync(0xffffffffu, v, o);
    v = kMax ? fmaxf(v, u) : v + u;
  }
  __syncthreads();  // red may still be read by a previous reduction
  if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
  __syncthreads();
  float r = red[0];
  for (int w = 1; w < kWarps; ++w) r = kMax ? fmaxf(r, red[w]) : r + red[w];
  return r;
}

// dst[d] = Σ_{s < n} w[s]·row_s[d] for d < dh, with row_s = col0 + (offsets[s] + i)·ld (the dh
// columns of one head in packed row of step s). Groups of nd = min(dh, blockDim) threads
// split d, the blockDim/nd groups split s (s ≡ g mod groups); the group partials (part:
// max(dh, blockDim) floats) are added in group order. Ends with the block synchronised.
__device__ void weighted_rows(const float* w, int64_t n, const float* col0, int64_t ld, const DevLayout& l, int64_t i,
                              int64_t dh, float* part, float* dst) {
  const int nd = dh < kThreads ? static_cast<int>(dh) : kThreads;
  const int groups = kThreads / nd;
  const int g = threadIdx.x / nd, dl = threadIdx.x % nd;
  if (g < groups) {
    for (int64_t d = dl; d < dh; d += nd) {
      float acc = 0.f;
      for (int64_t s = g; s < n; s += groups) acc += w[s] * col0[(l.offsets[s] + i) * ld + d];
      part[g * dh + d] = acc;
    }
  }
  __syncthreads();
  for (int64_t d = threadIdx.x; d < dh; d += kThreads) {
    float acc = 0.f;
    for (int k = 0; k < groups; ++k) acc += part[k * dh + d];
    dst[d] = acc;
  }
  __syncthreads();
}

// Forward. Launch: grid (total, heads), kThreads threads; block (r, h) is query t of sorted
// sequence i (r = offsets[t] + i), head h. Dynamic shared memory: dh + Lmax + max(dh, kThreads)
// floats (the query, the scores row, the group partials).
__global__ void attention_fwd(const float* qkv, DevLayout lay, int64_t D, int64_t dh, bool causal, float scale,
                              DropMask mask, float* out, float* probs) {
  extern __shared__ float sh[];
  __shared__ float red[kWarps];
  const int64_t r = blockIdx.x, h = blockIdx.y, ld = 3 * D;
  int64_t t, i;
  locate(lay, r, t, i);
  const int64_t L = lay.lengths[i], seen = causal ? t + 1 : L;
  const int64_t base = lay.poff[i] + h * L * L + t * L;  // probs index of (t, s = 0)
  float* q = sh;
  float* sc = sh + dh;
  float* part = sc + L;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;

  for (int64_t d = threadIdx.x; d < dh; d += kThreads) q[d] = qkv[r * ld + h * dh + d];
  __syncthreads();
  // Scores q_t·k_s / √dh: a warp per key.
  for (int64_t s = warp; s < seen; s += kWarps) {
    const float* k = qkv + (lay.offsets[s] + i) * ld + D + h * dh;
    float dot = 0.f;
    for (int64_t d = lane; d < dh; d += 32) dot += q[d] * k[d];
    dot = warp_sum(dot);
    if (lane == 0) sc[s] = dot * scale;
  }
  __syncthreads();
  float mx = -INFINITY;
  for (int64_t s = threadIdx.x; s < seen; s += kThreads) mx = fmaxf(mx, sc[s]);
  mx = block_reduce<true>(mx, red);
  float sum = 0.f;
  for (int64_t s = threadIdx.x; s < seen; s += kThreads) {
    const float e = expf(sc[s] - mx);
    sc[s] = e;
    sum += e;
  }
  sum = block_reduce<false>(sum, red);
  const float inv = 1.f / sum;
  // P row to probs (unseen keys 0); sc becomes the dropped-out weights P∘M.
  for (int64_t s = threadIdx.x; s < L; s += kThreads) {
    if (s < seen) {
      const float p = sc[s] * inv;
      probs[base + s] = p;
      sc[s] = p * mask(base + s);
    } else {
      probs[base + s] = 0.f;
    }
  }
  __syncthreads();
  weighted_rows(sc, seen, qkv + 2 * D + h * dh, ld, lay, i, dh, part, out + r * D + h * dh);
}

// Backward pass 1. Launch: grid (total, heads), kThreads threads; block (r, h) is query t of
// sorted sequence i, head h. Dynamic shared memory: dh + Lmax + max(dh, kThreads) floats (dO_t,
// the dS row, the group partials). Writes dS (probs layout, seen entries only) and dQ_t.
__global__ void attention_bwd_ds(const float* qkv, const float* probs, const float* dout, DevLayout lay, int64_t D,
                                 int64_t dh, bool causal, float scale, DropMask mask, float* ds, float* dqkv) {
  extern __shared__ float sh[];
  __shared__ float red[kWarps];
  const int64_t r = blockIdx.x, h = blockIdx.y, ld = 3 * D;
  int64_t t, i;
  locate(lay, r, t, i);
  const int64_t L = lay.lengths[i], seen = causal ? t + 1 : L;
  const int64_t base = lay.poff[i] + h * L * L + t * L;
  float* go = sh;
  float* gs = sh + dh;
  float* part = gs + L;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;

  for (int64_t d = threadIdx.x; d < dh; d += kThreads) go[d] = dout[r * D + h * dh + d];
  __syncthreads();
  // dP_ts = (dO_t·v_s)·M_ts: a warp per key.
  for (int64_t s = warp; s < seen; s += kWarps) {
    const float* v = qkv + (lay.offsets[s] + i) * ld + 2 * D + h * dh;
    float dot = 0.f;
    for (int64_t d = lane; d < dh; d += 32) dot += go[d] * v[d];
    dot = warp_sum(dot);
    if (lane == 0) gs[s] = dot * mask(base + s);
  }
  __syncthreads();
  float rowdot = 0.f;
  for (int64_t s = threadIdx.x; s < seen; s += kThreads) rowdot += probs[base + s] * gs[s];
  rowdot = block_reduce<false>(rowdot, red);
  for (int64_t s = threadIdx.x; s < seen; s += kThreads) {
    const float g = probs[base + s] * (gs[s] - rowdot) * scale;
    gs[s] = g;
    ds[base + s] = g;
  }
  __syncthreads();
  weighted_rows(gs, seen, qkv + D + h * dh, ld, lay, i, dh, part, dqkv + r * ld + h * dh);
}

// Backward pass 2. Launch: grid (total, heads), kThreads threads; block (r, h) is key s of
// sorted sequence i (r = offsets[s] + i), head h. Dynamic shared memory: 2·max(dh, kThreads)
// floats (group partials of dV and dK). Sums over the queries t that see s (t ≥ s when
// causal), groups of threads splitting t as in weighted_rows; writes dK_s and dV_s.
__global__ void attention_bwd_kv(const float* qkv, const float* probs, const float* dout, const float* ds,
                                 DevLayout lay, int64_t D, int64_t dh, bool causal, DropMask mask, float* dqkv) {
  extern __shared__ float sh[];
  const int64_t r = blockIdx.x, h = blockIdx.y, ld = 3 * D;
  int64_t s, i;
  locate(lay, r, s, i);
  const int64_t L = lay.lengths[i], t0 = causal ? s : 0;
  const int64_t col = lay.poff[i] + h * L * L + s;  // probs index of (t, s) is col + t·L
  const int64_t width = dh > kThreads ? dh : kThreads;
  float* part_v = sh;
  float* part_k = sh + width;
  const int nd = dh < kThreads ? static_cast<int>(dh) : kThreads;
  const int groups = kThreads / nd;
  const int g = threadIdx.x / nd, dl = threadIdx.x % nd;
  if (g < groups) {
    for (int64_t d = dl; d < dh; d += nd) {
      float av = 0.f, ak = 0.f;
      for (int64_t t = t0 + g; t < L; t += groups) {
        const int64_t j = col + t * L, row = lay.offsets[t] + i;
        av += probs[j] * mask(j) * dout[row * D + h * dh + d];
        ak += ds[j] * qkv[row * ld + h * dh + d];
      }
      part_v[g * dh + d] = av;
      part_k[g * dh + d] = ak;
    }
  }
  __syncthreads();
  for (int64_t d = threadIdx.x; d < dh; d += kThreads) {
    float dv = 0.f, dk = 0.f;
    for (int k = 0; k < groups; ++k) {
      dv += part_v[k * dh + d];
      dk += part_k[k * dh + d];
    }
    dqkv[r * ld + D + h * dh + d] = dk;
    dqkv[r * ld + 2 * D + h * dh + d] = dv;
  }
}

// What one call needs on the device: the layout uploaded, the launch shape checked.
struct Setup {
  std::vector<int64_t> host;  // offsets | lengths | poff
  int64_t Lmax = 0, dh = 0, prob_floats = 0;
};

Setup prepare(const PackedLayout& l, int64_t D, int64_t heads, const char* op) {
  Setup s;
  if (heads <= 0 || D < heads)
    throw std::invalid_argument(std::string("cuda: ") + op + ": D (" + std::to_string(D) +
                                ") must be at least the number of heads (" + std::to_string(heads) + ")");
  if (l.total > 0x7fffffff || heads > 65535)
    throw std::invalid_argument(std::string("cuda: ") + op + ": " + std::to_string(l.total) + " rows × " +
                                std::to_string(heads) + " heads is past the launch grid's limits");
  s.dh = D / heads;
  const std::vector<int64_t> poff = prob_offsets(l, heads);
  s.prob_floats = poff[l.B];
  s.host.reserve(l.T + 1 + 2 * l.B + 1);
  s.host.insert(s.host.end(), l.offsets.begin(), l.offsets.end());
  s.host.insert(s.host.end(), l.lengths.begin(), l.lengths.end());
  s.host.insert(s.host.end(), poff.begin(), poff.end());
  for (int64_t L : l.lengths) s.Lmax = L > s.Lmax ? L : s.Lmax;
  return s;
}

// Dynamic shared memory of `bytes` for `kernel`, opting in past the default 48 KiB if needed.
template <class K>
void shared_for(K kernel, size_t bytes, const char* op, int64_t Lmax) {
  if (bytes <= 48 * 1024) return;
  if (bytes > device_props().sharedMemPerBlockOptin)
    throw std::invalid_argument(std::string("cuda: ") + op + ": a sequence of " + std::to_string(Lmax) +
                                " steps needs " + std::to_string(bytes) +
                                " bytes of shared memory per block, more than "
                                "this GPU's " +
                                std::to_string(device_props().sharedMemPerBlockOptin));
  check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes)), op);
}

DropMask drop_mask(float p, uint32_t seed) {
  DropMask m;
  m.p = p;
  m.keep = 1.f / (1.f - p);
  m.seed = seed;
  return m;
}

}  // namespace

int64_t attention_prob_floats(const PackedLayout& l, int64_t heads) { return prob_offsets(l, heads)[l.B]; }

void attention_forward(const float* qkv, const PackedLayout& l, int64_t D, int64_t heads, bool causal, float dropout,
                       uint32_t seed, float* out, float* probs) {
  if (l.total == 0 || l.B == 0) return;
  const Setup s = prepare(l, D, heads, "attentionForward");
  Scratch lay_buf(s.host.size() * sizeof(int64_t));
  const int64_t* d = upload(lay_buf, s.host.data(), s.host.size());
  const DevLayout lay{d, d + l.T + 1, d + l.T + 1 + l.B, l.T};
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.dh));
  const size_t shmem = sizeof(float) * static_cast<size_t>(s.dh + s.Lmax + (s.dh > kThreads ? s.dh : kThreads));
  shared_for(attention_fwd, shmem, "attentionForward", s.Lmax);
  const dim3 grid(static_cast<unsigned>(l.total), static_cast<unsigned>(heads));
  attention_fwd<<<grid, kThreads, shmem, stream()>>>(qkv, lay, D, s.dh, causal, scale, drop_mask(dropout, seed), out,
                                                     probs);
  check_launch("attention_fwd");
}

void attention_backward(const float* qkv, const float* probs, const float* dout, const PackedLayout& l, int64_t D,
                        int64_t heads, bool causal, float dropout, uint32_t seed, float* dqkv) {
  if (l.total == 0 || l.B == 0) return;
  const Setup s = prepare(l, D, heads, "attentionBackward");
  Scratch lay_buf(s.host.size() * sizeof(int64_t));
  const int64_t* d = upload(lay_buf, s.host.data(), s.host.size());
  const DevLayout lay{d, d + l.T + 1, d + l.T + 1 + l.B, l.T};
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.dh));
  const DropMask mask = drop_mask(dropout, seed);
  const int64_t width = s.dh > kThreads ? s.dh : kThreads;
  Scratch ds_buf(static_cast<size_t>(s.prob_floats) * sizeof(float));
  float* ds = ds_buf.as<float>();
  const dim3 grid(static_cast<unsigned>(l.total), static_cast<unsigned>(heads));

  const size_t shmem1 = sizeof(float) * static_cast<size_t>(s.dh + s.Lmax + width);
  shared_for(attention_bwd_ds, shmem1, "attentionBackward", s.Lmax);
  attention_bwd_ds<<<grid, kThreads, shmem1, stream()>>>(qkv, probs, dout, lay, D, s.dh, causal, scale, mask, ds, dqkv);
  check_launch("attention_bwd_ds");

  const size_t shmem2 = sizeof(float) * static_cast<size_t>(2 * width);
  shared_for(attention_bwd_kv, shmem2, "attentionBackward", s.Lmax);
  attention_bwd_kv<<<grid, kThreads, shmem2, stream()>>>(qkv, probs, dout, ds, lay, D, s.dh, causal, mask, dqkv);
  check_launch("attention_bwd_kv");
}

}  // namespace cuda
}  // namespace seqcore
