// The persistent GRU recurrence: all T steps of one layer in ONE cooperative launch
// (cudaLaunchCooperativeKernel on stream()), W_hh kept in shared memory across the steps, a
// grid-wide barrier (cooperative_groups::this_grid().sync()) between steps. Same contract,
// cell math (common/device_math.h) and workspace layout as the per-step path of gru.cu.
//
// Partition. The grid has C CTAs, all co-resident (sized with
// cudaOccupancyMaxActiveBlocksPerMultiprocessor; C ≤ H). CTA c owns the hidden units
// [j0, j1) = [c·U, min(H, (c+1)·U)), U = ⌈H/C⌉, for both passes:
//   forward:  shared W slice 3U×H, row g·U + jl = W_hh row g·H + j0 + jl (its units' r, z, n
//             gate rows), plus a tile of R staged h_prev rows (R×H);
//   backward: shared W slice U×3H, row kl = W_hh column j0 + kl (everything that feeds its
//             units' carry), plus a tile of R staged dgh rows (R×3H).
// Dot products: a warp computes one item (forward: 3 gate rows × kRB batch rows; backward:
// kUB units × kRB batch rows), its lanes splitting the reduction dimension (lane l takes k ≡ l
// mod 32, consecutive floats in shared memory, no bank conflicts), then an xor-butterfly, so
// every lane holds the same sums (the same bits: each pairwise add is commutative).
//
// Forward, step t (active rows b < batch_sizes[t]): h_prev = h0s (t = 0) or the packed output
// rows of step t−1, staged into shared memory tile by tile; gh[b, g, j] for the CTA's units;
// the cell (gru_gates, gru_output with both biases) writes h' to the packed output row, r, z,
// n, ghn to the gates workspace when saved, and h' to hn (original order) at a sequence's last
// step. Then grid.sync(): the next step reads the output rows every CTA just wrote.
// No buffer is both written and read across CTAs within a step: a step writes only its own
// packed output/gates rows (never read again within the layer except as the next step's
// h_prev, after the barrier) and hn (never read here), and reads h0s/earlier output rows, gi
// and the weights (read-only). So the packed output itself is the double buffer the state
// needs: one barrier per step (T−1 in all).
//
// Backward, step t in reverse, two phases:
//   (1) for its units j and active rows b: dh = carry[b,j] + dout[b,j], gru_gate_grads →
//       dgi, dgh (packed rows of step t, global) and carry[b,j] ← dh·z;
//   grid.sync();
//   (2) for its units k: carry[b,k] += Σ_{g,j'} dgh[b, g·H+j']·W_hh[g·H+j', k], with the dgh
//       rows of step t (written by every CTA in (1)) staged into shared memory.
// Why one barrier per step suffices: carry[:, j] is read and written only by the CTA that
// owns unit j, in (1) and (2) of every step, so from (2) of step t to (1) of step t−1 a
// __syncthreads orders it. The dgh rows of step t are written in (1) of step t only (by every
// CTA, hence the barrier before (2) reads them) and never again: (1) of step t−1, which other
// CTAs may run while this one is still in (2) of step t, writes the rows of step t−1, which
// are disjoint. dgi is written only; h0s, out, gates, dout and W_hh are read only. T barriers.
// The weight gradients stay the large GEMMs of gru.cu.
//
// fp32 throughout (fma). Reads of data other CTAs wrote during the kernel (the output rows,
// the dgh rows) go through __ldcg (L2), never the non-coherent read-only path.
#include <cooperative_groups.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>

#include "common/device_math.h"
#include "cuda/gru_persistent.h"
#include "cuda/runtime.h"

namespace seqcore {
namespace cuda {
namespace {

namespace cg = cooperative_groups;

constexpr int kPThreads = 256;     // threads per CTA
constexpr int kRB = 4;             // batch rows per warp item
constexpr int kUB = 3;             // backward: hidden units per warp item
constexpr int kMaxTileRows = 128;  // staged rows per tile, at most (fewer where shared memory is short)
constexpr int64_t kMaxHidden = 1024;

__device__ __forceinline__ float* dynamic_smem() {
  extern __shared__ float4 seqcore_gru_smem[];
  return reinterpret_cast<float*>(seqcore_gru_smem);
}

// acc[i][j] = Σ_k a[i][k]·b[j][k] over k < K, for the whole warp (every lane must call it;
// every lane gets the same sums). a, b: rows in shared memory.
template <int NA, int NB>
__device__ __forceinline__ void warp_dot(const float* const* a, const float* const* b, int K, int lane,
                                         float (&acc)[NA][NB]) {
#pragma unroll
  for (int i = 0; i < NA; ++i)
#pragma unroll
    for (int j = 0; j < NB; ++j) acc[i][j] = 0.f;
  for (int k = lane; k < K; k += 32) {
    float av[NA], bv[NB];
#pragma unroll
    for (int i = 0; i < NA; ++i) av[i] = a[i][k];
#pragma unroll
    for (int j = 0; j < NB; ++j) bv[j] = b[j][k];
#pragma unroll
    for (int i = 0; i < NA; ++i)
#pragma unroll
      for (int j = 0; j < NB; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1)
#pragma unroll
    for (int i = 0; i < NA; ++i)
#pragma unroll
      for (int j = 0; j < NB; ++j) acc[i][j] += __shfl_xor_sync(0xFFFFFFFFu, acc[i][j], o);
}

// n floats from global src (written by other CTAs of this launch) to shared dst, every thread
// holding kInFlight loads in flight before it stores any: dst and src are generic pointers the
// compiler must assume may alias, so a plain copy loop waits for each L2 round trip in turn
// (measured on an H200: about 130 µs per step of W1, 16 µs of it per 32-row tile). float4
// loads when both pointers are 16-byte aligned (H a multiple of 4).
template <typename V>
__device__ __forceinline__ void stage_as(V* dst, const V* src, int64_t n) {
  constexpr int kInFlight = 8;
  const int64_t stride = blockDim.x;
  for (int64_t base = threadIdx.x; base < n; base += kInFlight * stride) {
    V v[kInFlight];
#pragma unroll
    for (int u = 0; u < kInFlight; ++u)
      if (base + u * stride < n) v[u] = __ldcg(src + base + u * stride);
#pragma unroll
    for (int u = 0; u < kInFlight; ++u)
      if (base + u * stride < n) dst[base + u * stride] = v[u];
  }
}

__device__ __forceinline__ void stage(float* dst, const float* src, int64_t n) {
  if (((reinterpret_cast<uintptr_t>(dst) | reinterpret_cast<uintptr_t>(src)) & 15) == 0) {
    const int64_t n4 = n / 4;
    stage_as(reinterpret_cast<float4*>(dst), reinterpret_cast<const float4*>(src), n4);
    for (int64_t i = 4 * n4 + threadIdx.x; i < n; i += blockDim.x) dst[i] = __ldcg(src + i);
  } else {
    stage_as(dst, src, n);
  }
}

// gi: total×3H; offsets: T+1; sorted: B; h0s: B×H (sorted); out: total×H; gates: total×4H or
// null; hn: B×H (original order). U: units per CTA; R: tile rows. Shared: 3U·H + R·H floats.
__global__ void __launch_bounds__(kPThreads)
    gru_persistent_forward_kernel(const float* __restrict__ gi, const float* __restrict__ w_hh,
                                  const float* __restrict__ b_ih, const float* __restrict__ b_hh, const float* h0s,
                                  const int64_t* __restrict__ offsets, const int32_t* __restrict__ sorted, int64_t T,
                                  int H, int U, int R, float* out, float* gates, float* hn) {
  cg::grid_group grid = cg::this_grid();
  float* ws = dynamic_smem();
  float* hs = ws + static_cast<int64_t>(3) * U * H;
  const int j0 = static_cast<int>(blockIdx.x) * U, nu = min(U, H - j0);
  const int lane = static_cast<int>(threadIdx.x) & 31, warp = static_cast<int>(threadIdx.x) >> 5;
  const int nwarps = static_cast<int>(blockDim.x) >> 5;
  const int64_t H3 = 3 * static_cast<int64_t>(H);
  for (int64_t i = threadIdx.x; i < 3 * static_cast<int64_t>(nu) * H; i += blockDim.x) {
    const int64_t g = i / (static_cast<int64_t>(nu) * H), rem = i % (static_cast<int64_t>(nu) * H);
    const int64_t jl = rem / H, k = rem % H;
    ws[(g * U + jl) * H + k] = w_hh[(g * H + j0 + jl) * H + k];
  }
  for (int64_t t = 0; t < T; ++t) {
    const int64_t row0 = offsets[t], rows = offsets[t + 1] - row0;
    const int64_t next = t + 1 < T ? offsets[t + 2] - offsets[t + 1] : 0;  // rows active at t+1
    const float* hp = t == 0 ? h0s : out + offsets[t - 1] * H;
    for (int64_t r0 = 0; r0 < rows; r0 += R) {
      const int nr = static_cast<int>(min(static_cast<int64_t>(R), rows - r0));
      __syncthreads();  // the previous tile's readers are done (and, first, the W slice is loaded)
      stage(hs, hp + r0 * H, static_cast<int64_t>(nr) * H);
      __syncthreads();
      const int groups = (nr + kRB - 1) / kRB, items = nu * groups;
      for (int it = warp; it < items; it += nwarps) {
        const int jl = it % nu, rg = it / nu;
        const float* const a[3] = {ws + static_cast<int64_t>(jl) * H, ws + static_cast<int64_t>(U + jl) * H,
                                   ws + static_cast<int64_t>(2 * U + jl) * H};
        const float* b[kRB];
#pragma unroll
        for (int r = 0; r < kRB; ++r) b[r] = hs + static_cast<int64_t>(min(rg * kRB + r, nr - 1)) * H;
        // Lane r < kRB finishes batch row rg·kRB + r. Its gi and bias terms do not depend on h:
        // loaded before the dot product, their latency hides behind it (the sums keep the
        // order of the per-step cell: (gi + b_ih) + gh + b_hh).
        const int rl = rg * kRB + lane;
        const bool mine = lane < kRB && rl < nr;
        const int64_t bi = r0 + rl, row = row0 + bi, j = j0 + jl;
        float xr = 0.f, xz = 0.f, xn = 0.f, br = 0.f, bz = 0.f, bn = 0.f;
        if (mine) {
          const float* gir = gi + row * H3;
          xr = gir[j] + b_ih[j];
          xz = gir[H + j] + b_ih[H + j];
          xn = gir[2 * H + j] + b_ih[2 * H + j];
          br = b_hh[j];
          bz = b_hh[H + j];
          bn = b_hh[2 * H + j];
        }
        float acc[3][kRB];
        warp_dot<3, kRB>(a, b, H, lane, acc);
        if (mine) {
          float s0 = 0.f, s1 = 0.f, s2 = 0.f;
#pragma unroll
          for (int r = 0; r < kRB; ++r)
            if (r == lane) {
              s0 = acc[0][r];
              s1 = acc[1][r];
              s2 = acc[2][r];
            }
          const float ghn = s2 + bn;
          const GruGates q = gru_gates(xr + s0 + br, xz + s1 + bz, xn, ghn);
          const float h = gru_output(q, hs[static_cast<int64_t>(rl) * H + j]);
          out[row * H + j] = h;
          if (gates) {
            float* g = gates + row * 4 * H;
            g[j] = q.r;
            g[H + j] = q.z;
            g[2 * H + j] = q.n;
            g[3 * H + j] = ghn;
          }
          if (bi >= next) hn[static_cast<int64_t>(sorted[bi]) * H + j] = h;  // its last step
        }
      }
    }
    if (t + 1 < T) grid.sync();
  }
}

// w_hh: 3H×H; h0s: B×H (sorted); out, gates: the forward's; dout: total×H or null; carry:
// B×H (sorted); dgi, dgh: total×3H. Shared: U·3H + R·3H floats.
__global__ void __launch_bounds__(kPThreads)
    gru_persistent_backward_kernel(const float* __restrict__ w_hh, const float* __restrict__ h0s,
                                   const float* __restrict__ out, const float* __restrict__ gates,
                                   const float* __restrict__ dout, const int64_t* __restrict__ offsets, int64_t T,
                                   int H, int U, int R, float* carry, float* dgi, float* dgh) {
  cg::grid_group grid = cg::this_grid();
  const int64_t H3 = 3 * static_cast<int64_t>(H);
  float* wc = dynamic_smem();
  float* ds = wc + static_cast<int64_t>(U) * H3;
  const int j0 = static_cast<int>(blockIdx.x) * U, nu = min(U, H - j0);
  const int lane = static_cast<int>(threadIdx.x) & 31, warp = static_cast<int>(threadIdx.x) >> 5;
  const int nwarps = static_cast<int>(blockDim.x) >> 5;
  for (int64_t i = threadIdx.x; i < H3 * nu; i += blockDim.x) {
    const int64_t gj = i / nu, kl = i % nu;
    wc[kl * H3 + gj] = w_hh[gj * H + j0 + kl];
  }
  for (int64_t t = T - 1; t >= 0; --t) {
    const int64_t row0 = offsets[t], rows = offsets[t + 1] - row0;
    const float* hp = t == 0 ? h0s : out + offsets[t - 1] * H;
    // (1) gate gradients of the CTA's units.
    for (int64_t i = threadIdx.x; i < rows * nu; i += blockDim.x) {
      const int64_t bi = i / nu, j = j0 + i % nu, row = row0 + bi;
      const float* g = gates + row * 4 * H;
      const float dh = carry[bi * H + j] + (dout ? dout[row * H + j] : 0.f);
      const GruGateGrads q = gru_gate_grads(dh, hp[bi * H + j], g[j], g[H + j], g[2 * H + j], g[3 * H + j]);
      gru_store_gate_grads(q, g[j], H, j, dgi + row * H3, dgh + row * H3);
      carry[bi * H + j] = q.dhp;
    }
    grid.sync();  // every CTA's dgh rows of step t are written (the only barrier of the step)
    // (2) carry += dgh·W_hh for the CTA's units.
    const int ublocks = (nu + kUB - 1) / kUB;
    for (int64_t r0 = 0; r0 < rows; r0 += R) {
      const int nr = static_cast<int>(min(static_cast<int64_t>(R), rows - r0));
      stage(ds, dgh + (row0 + r0) * H3, static_cast<int64_t>(nr) * H3);
      __syncthreads();
      const int groups = (nr + kRB - 1) / kRB, items = ublocks * groups;
      for (int it = warp; it < items; it += nwarps) {
        const int ub = it % ublocks, rg = it / ublocks;
        const float* a[kUB];
        const float* b[kRB];
#pragma unroll
        for (int u = 0; u < kUB; ++u) a[u] = wc + static_cast<int64_t>(min(ub * kUB + u, nu - 1)) * H3;
#pragma unroll
        for (int r = 0; r < kRB; ++r) b[r] = ds + static_cast<int64_t>(min(rg * kRB + r, nr - 1)) * H3;
        float acc[kUB][kRB];
        warp_dot<kUB, kRB>(a, b, static_cast<int>(H3), lane, acc);
        const int u = lane / kRB, r = lane % kRB, kl = ub * kUB + u, rl = rg * kRB + r;
        if (lane < kUB * kRB && kl < nu && rl < nr) {
          float s = 0.f;
#pragma unroll
          for (int uu = 0; uu < kUB; ++uu)
#pragma unroll
            for (int rr = 0; rr < kRB; ++rr)
              if (uu == u && rr == r) s = acc[uu][rr];
          carry[(r0 + rl) * H + j0 + kl] += s;
        }
      }
      __syncthreads();  // the tile's readers are done; carry is complete before (1) of step t−1
    }
  }
}

// ---- plan ----

enum class Mode { kAuto, kPersistent, kPerStep };

// The automatic choice takes the persistent path only where a step has few active rows on
// average (total ≤ kMaxRowsPerStep·T): there the per-step path pays a launch and a mostly idle
// GEMM per step, while the persistent kernel's cost grows with the rows it stages each step.
// Measured on an H200 (bench/results/2026-11-30-h200-gru-persistent.jsonl): persistent ÷
// per-step 1.34 at W4 (about 12 rows per step, H = 256) but 0.10–0.21 at 256 rows per step.
constexpr int64_t kMaxRowsPerStep = 32;

Mode mode_from_env() {
  const char* v = std::getenv("SEQCORE_GRU");
  if (!v || !*v || std::strcmp(v, "auto") == 0) return Mode::kAuto;
  if (std::strcmp(v, "persistent") == 0) return Mode::kPersistent;
  if (std::strcmp(v, "per-step") == 0) return Mode::kPerStep;
  throw std::runtime_error(std::string("cuda: SEQCORE_GRU=") + v + ": expected persistent, per-step or auto");
}

int grid_cap_from_env() {
  const char* v = std::getenv("SEQCORE_GRU_GRID");
  const long n = v ? std::strtol(v, nullptr, 10) : 0;
  return n > 0 && n < (1 << 20) ? static_cast<int>(n) : 1 << 20;
}

struct Plan {
  const char* why_not = nullptr;  // "per-step (<reason>)", or null: runnable
  int ctas = 0, units = 0, tile_rows = 0;
  size_t smem = 0;
};

// Shared floats per CTA: the W slice plus R staged rows.
size_t smem_bytes(bool backward, int64_t H, int64_t U, int64_t R) {
  return static_cast<size_t>(3 * U * H + R * (backward ? 3 * H : H)) * sizeof(float);
}

Plan make_plan(bool backward, int64_t B, int64_t H, int cap) {
  Plan p;
  if (H > kMaxHidden) {
    p.why_not = "per-step (H > 1024)";
    return p;
  }
  if (B < 1 || H < 1) {
    p.why_not = "per-step (empty batch)";
    return p;
  }
  int dev = 0, coop = 0;
  check(cudaGetDevice(&dev), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&coop, cudaDevAttrCooperativeLaunch, dev), "cudaDeviceGetAttribute");
  if (!coop) {
    p.why_not = "per-step (cooperative launch not supported)";
    return p;
  }
  const cudaDeviceProp& d = device_props();
  const size_t optin = d.sharedMemPerBlockOptin;
  const int sms = std::max(1, d.multiProcessorCount);
  const void* kernel = backward ? reinterpret_cast<const void*>(gru_persistent_backward_kernel)
                                : reinterpret_cast<const void*>(gru_persistent_forward_kernel);
  if (backward)
    check(cudaFuncSetAttribute(gru_persistent_backward_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               static_cast<int>(optin)),
          "cudaFuncSetAttribute(gru_persistent_backward)");
  else
    check(cudaFuncSetAttribute(gru_persistent_forward_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               static_cast<int>(optin)),
          "cudaFuncSetAttribute(gru_persistent_forward)");
  const int64_t r_want = std::min<int64_t>((B + kRB - 1) / kRB * kRB, kMaxTileRows);
  int64_t C = std::min<int64_t>({H, static_cast<int64_t>(sms), static_cast<int64_t>(cap)});
  for (int iter = 0; iter < 16; ++iter) {
    const int64_t U = (H + C - 1) / C;
    C = (H + U - 1) / U;  // no CTA without units
    int64_t R = r_want;
    while (R > 1 && smem_bytes(backward, H, U, R) > optin) R = R > kRB ? R - kRB : R - 1;
    const size_t smem = smem_bytes(backward, H, U, R);
    if (smem > optin) break;
    int per_sm = 0;
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kPThreads, smem),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
    const int64_t resident = static_cast<int64_t>(per_sm) * sms;
    if (resident < 1) break;
    if (resident < C) {  // cannot all be co-resident: fewer, wider slices
      C = resident;
      continue;
    }
    const int64_t more = std::min<int64_t>({H, resident, static_cast<int64_t>(cap)});
    if (more > C && (H + more - 1) / more < U) {  // more CTAs fit: narrower slices
      C = more;
      continue;
    }
    p.ctas = static_cast<int>(C);
    p.units = static_cast<int>(U);
    p.tile_rows = static_cast<int>(R);
    p.smem = smem;
    return p;
  }
  p.why_not = "per-step (the W_hh slices do not fit shared memory on a co-resident grid)";
  return p;
}

// Plans by (backward, tile rows wanted, H, grid cap), for the current device.
Plan plan_for(bool backward, int64_t B, int64_t H) {
  static std::mutex m;
  static std::map<std::tuple<bool, int64_t, int64_t, int, int>, Plan> cache;
  const int cap = grid_cap_from_env();
  int dev = 0;
  check(cudaGetDevice(&dev), "cudaGetDevice");
  const int64_t r_want = std::min<int64_t>((std::max<int64_t>(B, 1) + kRB - 1) / kRB * kRB, kMaxTileRows);
  const auto key = std::make_tuple(backward, r_want, H, cap, dev);
  std::lock_guard<std::mutex> lock(m);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const Plan p = make_plan(backward, B, H, cap);
  cache.emplace(key, p);
  return p;
}

}  // namespace

const char* gru_algorithm(int64_t B, int64_t T, int64_t total, int64_t H) {
  try {
    const Mode mode = mode_from_env();
    if (mode == Mode::kPerStep) return "per-step (SEQCORE_GRU=per-step)";
    const Plan f = plan_for(false, B, H);
    if (f.why_not) return f.why_not;
    const Plan b = plan_for(true, B, H);
    if (b.why_not) return b.why_not;
    static const std::string busy =
        "per-step (more than " + std::to_string(kMaxRowsPerStep) + " active rows per step on average)";
    if (mode == Mode::kAuto && total > kMaxRowsPerStep * T) return busy.c_str();
    return "persistent";
  } catch (const std::exception&) {
    return "per-step (SEQCORE_GRU or the device query failed)";
  }
}

bool gru_use_persistent(bool backward, int64_t B, int64_t T, int64_t total, int64_t H) {
  const Mode mode = mode_from_env();
  if (mode == Mode::kPerStep) return false;
  if (mode == Mode::kAuto && total > kMaxRowsPerStep * T) return false;
  const Plan p = plan_for(backward, B, H);
  if (!p.why_not) return true;
  if (mode == Mode::kPersistent)
    throw std::runtime_error(std::string("cuda: SEQCORE_GRU=persistent, but the persistent GRU cannot run here: ") +
                             p.why_not);
  return false;
}

void gru_persistent_forward(const float* gi, const float* w_hh, const float* b_ih, const float* b_hh, const float* h0s,
                            const int64_t* offsets, const int32_t* sorted, int64_t B, int64_t T, int64_t H, float* out,
                            float* gates, float* hn) {
  if (T < 1 || B < 1) return;
  const Plan p = plan_for(false, B, H);
  if (p.why_not) throw std::runtime_error(std::string("cuda: gru_persistent_forward: ") + p.why_not);
  int h = static_cast<int>(H), u = p.units, r = p.tile_rows;
  void* args[] = {&gi, &w_hh, &b_ih, &b_hh, &h0s, &offsets, &sorted, &T, &h, &u, &r, &out, &gates, &hn};
  check(cudaLaunchCooperativeKernel(gru_persistent_forward_kernel, dim3(static_cast<unsigned>(p.ctas)), dim3(kPThreads),
                                    args, p.smem, stream()),
        "gru_persistent_forward");
}

void gru_persistent_backward(const float* w_hh, const float* h0s, const float* out, const float* gates,
                             const float* dout, const int64_t* offsets, int64_t B, int64_t T, int64_t H, float* carry,
                             float* dgi, float* dgh) {
  if (T < 1 || B < 1) return;
  const Plan p = plan_for(true, B, H);
  if (p.why_not) throw std::runtime_error(std::string("cuda: gru_persistent_backward: ") + p.why_not);
  int h = static_cast<int>(H), u = p.units, r = p.tile_rows;
  void* args[] = {&w_hh, &h0s, &out, &gates, &dout, &offsets, &T, &h, &u, &r, &carry, &dgi, &dgh};
  check(cudaLaunchCooperativeKernel(gru_persistent_backward_kernel, dim3(static_cast<unsigned>(p.ctas)),
                                    dim3(kPThreads), args, p.smem, stream()),
        "gru_persistent_backward");
}

}  // namespace cuda
}  // namespace seqcore
