// A multi-layer GRU over a packed batch on the GPU: the contract of native/cpu/gru.h (PyTorch
// layout, gate order r, z, n, "reset after"; h0 null = zeros; hn in the input order; dropout
// between layers with masks from dropout_uniform(seed + l, i)), the workspace layout of
// native/cpu/gru.cc, and the cell math of common/device_math.h, which the CPU cell shares.
//
// Forward, per layer: the input projection of every step as one GEMM (total×3H); then per
// step t one GEMM of the active rows of the hidden state against W_hh and one fused cell
// kernel. The state lives in a B×H buffer in sorted order, so the active rows of step t
// (batch_sizes[t] of them, sequences sorted longest first) are its first rows; the cell writes
// h' there and to the packed output, and when it stops a sequence's row keeps its final state,
// which is hn. Backward mirrors it in reverse: per step one fused gate-gradient kernel (dgi,
// dgh at the packed rows, carry ← dh·z) and one GEMM carry += dgh·W_hh; then the weight
// gradients as GEMMs over all packed rows and the bias gradients as deterministic column sums.
// No allocation, upload or synchronisation inside the step loops: scratch is taken and the
// layout uploaded before them, and the per-step offsets are kernel arguments.
//
// Two paths for the recurrence, chosen per call by gru_use_persistent (gru_persistent.h):
// the per-step path above, and the persistent one (gru_persistent.cu: all steps of a layer in
// one cooperative launch, W_hh in shared memory), taken when the device supports cooperative
// launch, H <= 1024, the W_hh slices fit shared memory on a co-resident grid and the steps have
// few active rows on average (gru_persistent.cu says why); SEQCORE_GRU=persistent|per-step
// forces one. Both share the input projection, the workspace layout and
// the weight-gradient GEMMs.
#include <algorithm>
#include <cstdint>

#include "common/device_math.h"
#include "common/gru_workspace.h"
#include "cuda/gru_persistent.h"
#include "cuda/kernels.h"
#include "cuda/rows.cuh"
#include "cuda/runtime.h"

namespace seqcore {
namespace cuda {
namespace {

// ---- kernels ----

// dst (B×H, sorted order) row i = src (B×H, original order) row sorted[i], zeros if src is
// null (cpu: to_sorted). Shape: shape_2d(B, H).
__global__ void __launch_bounds__(kThreads)
    to_sorted_kernel(const float* __restrict__ src, const int32_t* __restrict__ sorted, int64_t B, int64_t H,
                     float* __restrict__ dst) {
  for (int64_t i = row_begin(); i < B; i += row_stride()) {
    float* d = dst + i * H;
    if (src) {
      const float* s = src + static_cast<int64_t>(sorted[i]) * H;
      for (int64_t j = col_begin(); j < H; j += col_stride()) d[j] = s[j];
    } else {
      for (int64_t j = col_begin(); j < H; j += col_stride()) d[j] = 0.f;
    }
  }
}

// dst (original order) row sorted[i] = src (sorted order) row i (cpu: from_sorted).
// Shape: shape_2d(B, H).
__global__ void __launch_bounds__(kThreads)
    from_sorted_kernel(const float* __restrict__ src, const int32_t* __restrict__ sorted, int64_t B, int64_t H,
                       float* __restrict__ dst) {
  for (int64_t i = row_begin(); i < B; i += row_stride()) {
    const float* s = src + i * H;
    float* d = dst + static_cast<int64_t>(sorted[i]) * H;
    for (int64_t j = col_begin(); j < H; j += col_stride()) d[j] = s[j];
  }
}

// Inverted dropout on the previous layer's output (n = total·H floats): mask = keep or 0 from
// dropout_uniform(seed, i) >= p, dropped = prev·mask. Shape: 1-D, grid_for(n, 256).
__global__ void __launch_bounds__(kThreads)
    dropout_forward_kernel(const float* __restrict__ prev, float* __restrict__ dropped, float* __restrict__ mask,
                           int64_t n, float p, float keep, uint32_t seed) {
  for (int64_t i = global_index(); i < n; i += global_stride()) {
    const float m = dropout_uniform(seed, static_cast<uint64_t>(i)) >= p ? keep : 0.f;
    mask[i] = m;
    dropped[i] = prev[i] * m;
  }
}

// d ← d·mask in place (the gradient through the dropout between layers). Shape: 1-D,
// grid_for(n, 256).
__global__ void __launch_bounds__(kThreads)
    dropout_backward_kernel(float* __restrict__ d, const float* __restrict__ mask, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) d[i] = d[i] * mask[i];
}

// One step's fused cell (cpu: gru_cell.inc forward) over its `rows` active rows:
//   gi: rows×3H (packed rows of step t, x·W_ihᵀ without bias), gh: rows×3H (h·W_hhᵀ without
//   bias), state: rows×H (the first rows of the sorted state: h_prev in, h' out),
//   out: rows×H (packed rows of step t), gates: rows×4H r, z, n, ghn, or null.
// Each element reads and writes only its own state element, so the update is in place.
// Shape: shape_2d(rows, H).
__global__ void __launch_bounds__(kThreads)
    gru_cell_forward_kernel(int64_t rows, int64_t H, const float* __restrict__ gi, const float* __restrict__ gh,
                            const float* __restrict__ b_ih, const float* __restrict__ b_hh, float* __restrict__ state,
                            float* __restrict__ out, float* __restrict__ gates) {
  for (int64_t i = row_begin(); i < rows; i += row_stride()) {
    const float* gir = gi + i * 3 * H;
    const float* ghr = gh + i * 3 * H;
    float* hs = state + i * H;
    float* ho = out + i * H;
    float* g = gates ? gates + i * 4 * H : nullptr;
    for (int64_t j = col_begin(); j < H; j += col_stride()) {
      const float ghn = ghr[2 * H + j] + b_hh[2 * H + j];
      const GruGates q =
          gru_gates(gir[j] + b_ih[j] + ghr[j] + b_hh[j], gir[H + j] + b_ih[H + j] + ghr[H + j] + b_hh[H + j],
                    gir[2 * H + j] + b_ih[2 * H + j], ghn);
      const float h = gru_output(q, hs[j]);
      hs[j] = h;
      ho[j] = h;
      if (g) {
        g[j] = q.r;
        g[H + j] = q.z;
        g[2 * H + j] = q.n;
        g[3 * H + j] = ghn;
      }
    }
  }
}

// One step's fused gate gradients (cpu: gru_cell.inc backward, with the dh = carry + dout of
// layer_backward folded in) over its `rows` active rows:
//   carry: rows×H (first rows of the sorted carry: ∂L/∂h' of the later steps in, dh·z out),
//   dout: rows×H (packed rows of step t) or null, hprev: rows×H, gates: rows×4H (packed),
//   dgi, dgh: rows×3H (packed rows of step t).
// Shape: shape_2d(rows, H).
__global__ void __launch_bounds__(kThreads)
    gru_cell_backward_kernel(int64_t rows, int64_t H, float* __restrict__ carry, const float* __restrict__ dout,
                             const float* __restrict__ hprev, const float* __restrict__ gates, float* __restrict__ dgi,
                             float* __restrict__ dgh) {
  for (int64_t i = row_begin(); i < rows; i += row_stride()) {
    float* c = carry + i * H;
    const float* dr = dout ? dout + i * H : nullptr;
    const float* hp = hprev + i * H;
    const float* g = gates + i * 4 * H;
    float* di = dgi + i * 3 * H;
    float* dg = dgh + i * 3 * H;
    for (int64_t j = col_begin(); j < H; j += col_stride()) {
      const float dh = c[j] + (dr ? dr[j] : 0.f);
      const GruGateGrads q = gru_gate_grads(dh, hp[j], g[j], g[H + j], g[2 * H + j], g[3 * H + j]);
      gru_store_gate_grads(q, g[j], H, j, di, dg);
      c[j] = q.dhp;
    }
  }
}

// hprev (total×H, packed): row offsets[t] + i = the state before step t of sorted row i, h0s
// row i at t = 0, else the layer's output row offsets[t-1] + i. Shape: shape_2d(total, H).
__global__ void __launch_bounds__(kThreads)
    gather_hprev_kernel(const float* __restrict__ h0s, const float* __restrict__ out,
                        const int64_t* __restrict__ offsets, int64_t T, int64_t total, int64_t H,
                        float* __restrict__ hprev) {
  for (int64_t r = row_begin(); r < total; r += row_stride()) {
    const int64_t t = step_of_row(offsets, T, r);
    const int64_t i = r - offsets[t];
    const float* src = t == 0 ? h0s + i * H : out + (offsets[t - 1] + i) * H;
    float* dst = hprev + r * H;
    for (int64_t j = col_begin(); j < H; j += col_stride()) dst[j] = src[j];
  }
}

// ---- launches ----

void to_sorted(const float* src, const int32_t* sorted, int64_t B, int64_t H, float* dst) {
  const Shape2 s = shape_2d(B, H);
  to_sorted_kernel<<<s.grid, s.block, 0, stream()>>>(src, sorted, B, H, dst);
  check_launch("gru_to_sorted");
}

void from_sorted(const float* src, const int32_t* sorted, int64_t B, int64_t H, float* dst) {
  const Shape2 s = shape_2d(B, H);
  from_sorted_kernel<<<s.grid, s.block, 0, stream()>>>(src, sorted, B, H, dst);
  check_launch("gru_from_sorted");
}

// Why the step loops are not captured in a CUDA graph: (1) the layout (T, batch_sizes) and
// every buffer address change from batch to batch, so a graph would be captured and
// instantiated anew per call, which costs about as much host time as the 2T launches it
// replaces; reuse would need a cache keyed on the layout plus cudaGraphExecUpdate. (2) The
// GEMMs are cuBLASLt calls in gemm.cu, whose capture safety (workspace from the caching
// allocator, per-shape heuristics, lazy loading) this file cannot see. (3) check_launch and
// sgemm throw on error, which would leave stream() in capture mode unless every path ends the
// capture. Not simple and safe today; revisit with a per-layout graph cache.

// gi: total×3H, gh: B×3H scratch; state: B×H, sorted order, holding h0 on entry (and, on the
// per-step path, each sequence's final state on return); hn: B×H, the layer's final states in
// the original order. offsets (T+1) and sorted (B): the layout on the device.
void layer_forward(const GruLayer& y, const PackedLayout& l, const int64_t* offsets, const int32_t* sorted,
                   bool persistent, float* gi, float* gh, float* state, float* hn) {
  const int64_t H = y.H;
  sgemm(false, true, l.total, 3 * H, y.E, 1.f, y.x, y.E, y.w_ih, y.E, 0.f, gi, 3 * H);
  if (persistent) {
    gru_persistent_forward(gi, y.w_hh, y.b_ih, y.b_hh, state, offsets, sorted, l.B, l.T, H, y.out, y.gates, hn);
    return;
  }
  for (int64_t t = 0; t < l.T; ++t) {
    const int64_t rows = l.batch_sizes[t], row = l.offsets[t];
    sgemm(false, true, rows, 3 * H, H, 1.f, state, H, y.w_hh, H, 0.f, gh, 3 * H);
    const Shape2 s = shape_2d(rows, H);
    gru_cell_forward_kernel<<<s.grid, s.block, 0, stream()>>>(rows, H, gi + row * 3 * H, gh, y.b_ih, y.b_hh, state,
                                                              y.out + row * H,
                                                              y.gates ? y.gates + row * 4 * H : nullptr);
    check_launch("gru_cell_forward");
  }
  from_sorted(state, sorted, l.B, H, hn);
}

// carry: in, the gradient w.r.t. each sequence's final state (sorted order); out, the
// gradient w.r.t. its initial state. h0s: B×H sorted; offsets: the layout's offsets on the
// device. dgi, dgh: total×3H scratch; hprev: total×H scratch. dout and dx may be null; dx may
// be the buffer dout points to (it is written last, after every read of dout).
void layer_backward(const GruLayer& y, const float* h0s, const PackedLayout& l, const int64_t* offsets, bool persistent,
                    const float* dout, float* carry, float* dgi, float* dgh, float* hprev, float* dx, float* dw_ih,
                    float* dw_hh, float* db_ih, float* db_hh) {
  const int64_t H = y.H;
  if (persistent) gru_persistent_backward(y.w_hh, h0s, y.out, y.gates, dout, offsets, l.B, l.T, H, carry, dgi, dgh);
  for (int64_t t = l.T - 1; !persistent && t >= 0; --t) {
    const int64_t rows = l.batch_sizes[t], row = l.offsets[t];
    const float* hp = t == 0 ? h0s : y.out + l.offsets[t - 1] * H;
    const Shape2 s = shape_2d(rows, H);
    gru_cell_backward_kernel<<<s.grid, s.block, 0, stream()>>>(rows, H, carry, dout ? dout + row * H : nullptr, hp,
                                                               y.gates + row * 4 * H, dgi + row * 3 * H,
                                                               dgh + row * 3 * H);
    check_launch("gru_cell_backward");
    sgemm(false, false, rows, H, 3 * H, 1.f, dgh + row * 3 * H, 3 * H, y.w_hh, H, 1.f, carry,
          H);  // c = dh·z + dgh·W_hh
  }
  const Shape2 s = shape_2d(l.total, H);
  gather_hprev_kernel<<<s.grid, s.block, 0, stream()>>>(h0s, y.out, offsets, l.T, l.total, H, hprev);
  check_launch("gru_gather_hprev");
  sgemm(true, false, 3 * H, H, l.total, 1.f, dgh, 3 * H, hprev, H, 0.f, dw_hh, H);
  sgemm(true, false, 3 * H, y.E, l.total, 1.f, dgi, 3 * H, y.x, y.E, 0.f, dw_ih, y.E);
  sum_rows(dgi, db_ih, l.total, 3 * H);
  sum_rows(dgh, db_hh, l.total, 3 * H);
  if (dx) sgemm(false, false, l.total, y.E, 3 * H, 1.f, dgi, 3 * H, y.w_ih, y.E, 0.f, dx, y.E);
}

size_t floats(int64_t n) { return static_cast<size_t>(n) * sizeof(float); }

}  // namespace

int64_t gru_workspace_floats(int64_t L, int64_t total, int64_t H, bool save, bool dropout) {
  return gru_workspace_size(L, total, H, save, dropout);
}

void gru_forward(const float* x, const GruWeights& w, const float* h0, const PackedLayout& l, float p, uint32_t seed,
                 bool save, float* ws, float* out, float* hn) {
  const int64_t H = w.H, B = l.B, n = l.total * H;
  const GruWorkspaceView v{ws, l.total, H, w.L, save, out};
  const bool persistent = gru_use_persistent(false, B, l.T, l.total, H);
  // Everything the layers need, before any step loop: the layout (offsets, then sorted) and
  // the scratch.
  Scratch layout_s(static_cast<size_t>(l.T + 1) * sizeof(int64_t) + static_cast<size_t>(B) * sizeof(int32_t));
  int64_t* offsets = layout_s.as<int64_t>();
  int32_t* sorted = reinterpret_cast<int32_t*>(offsets + (l.T + 1));
  upload(l.offsets.data(), offsets, static_cast<size_t>(l.T + 1) * sizeof(int64_t));
  upload(l.sorted, sorted, static_cast<size_t>(B) * sizeof(int32_t));
  Scratch gi_s(floats(l.total * 3 * H)), gh_s(floats(B * 3 * H)), state_s(floats(B * H));
  float *gi = gi_s.as<float>(), *gh = gh_s.as<float>(), *state = state_s.as<float>();
  for (int64_t k = 0; k < w.L; ++k) {
    if (k > 0 && p > 0.f) {  // inverted dropout on the previous layer's output
      const uint32_t s = seed + static_cast<uint32_t>(k);
      const float keep = 1.f / (1.f - p);
      dropout_forward_kernel<<<grid_for(n, static_cast<int>(kThreads)), kThreads, 0, stream()>>>(
          v.out(k - 1), v.dropped(k), v.mask(k), n, p, keep, s);
      check_launch("gru_dropout_forward");
    }
    to_sorted(h0 ? h0 + k * B * H : nullptr, sorted, B, H, state);
    layer_forward(gru_layer(w, v, x, p, k), l, offsets, sorted, persistent, gi, gh, state, hn + k * B * H);
  }
}

void gru_backward(const float* x, const GruWeights& w, const float* h0, const PackedLayout& l, float p, const float* ws,
                  const float* out, const float* dout, const float* dhn, const GruGrads& g) {
  const int64_t H = w.H, B = l.B, n = l.total * H;
  // The kernels only read the workspace and output here.
  const GruWorkspaceView v{const_cast<float*>(ws), l.total, H, w.L, true, const_cast<float*>(out)};
  const bool persistent = gru_use_persistent(true, B, l.T, l.total, H);
  // Everything the layers need, before any step loop: the layout (offsets, then sorted) and
  // the scratch. dprev holds the gradient w.r.t. an upper layer's input, then (masked in
  // place) w.r.t. the output of the layer below, whose backward overwrites it with its own dx
  // only after its last read of it.
  Scratch layout_s(static_cast<size_t>(l.T + 1) * sizeof(int64_t) + static_cast<size_t>(B) * sizeof(int32_t));
  int64_t* offsets = layout_s.as<int64_t>();
  int32_t* sorted = reinterpret_cast<int32_t*>(offsets + (l.T + 1));
  upload(l.offsets.data(), offsets, static_cast<size_t>(l.T + 1) * sizeof(int64_t));
  upload(l.sorted, sorted, static_cast<size_t>(B) * sizeof(int32_t));
  Scratch dgi_s(floats(l.total * 3 * H)), dgh_s(floats(l.total * 3 * H)), hprev_s(floats(n));
  Scratch carry_s(floats(B * H)), h0s_s(floats(B * H)), dprev_s(w.L > 1 ? floats(n) : 0);
  float *dgi = dgi_s.as<float>(), *dgh = dgh_s.as<float>(), *hprev = hprev_s.as<float>();
  float *carry = carry_s.as<float>(), *h0s = h0s_s.as<float>(), *dprev = dprev_s.as<float>();
  const float* d = dout;  // gradient w.r.t. the current layer's output
  for (int64_t k = w.L - 1; k >= 0; --k) {
    to_sorted(dhn ? dhn + k * B * H : nullptr, sorted, B, H, carry);
    to_sorted(h0 ? h0 + k * B * H : nullptr, sorted, B, H, h0s);
    float* dx = k == 0 ? g.dx : dprev;
    layer_backward(gru_layer(w, v, x, p, k), h0s, l, offsets, persistent, d, carry, dgi, dgh, hprev, dx, g.dw_ih[k],
                   g.dw_hh[k], g.db_ih[k], g.db_hh[k]);
    if (g.dh0) from_sorted(carry, sorted, B, H, g.dh0 + k * B * H);
    if (k > 0) {  // through the dropout between layer k-1 and k
      if (p > 0.f) {
        dropout_backward_kernel<<<grid_for(n, static_cast<int>(kThreads)), kThreads, 0, stream()>>>(dprev, v.mask(k),
                                                                                                    n);
        check_launch("gru_dropout_backward");
      }
      d = dprev;
    }
  }
}

}  // namespace cuda
}  // namespace seqcore
