#include "cpu/gru.h"

#include <algorithm>
#include <cstring>

#include "common/gru_workspace.h"
#include "cpu/aligned_buffer.h"
#include "cpu/gemm.h"
#include "cpu/gru_cell.h"
#include "cpu/kernels.h"
#include "cpu/threadpool.h"

namespace seqcore {
namespace {

// One contiguous range of sorted rows per thread, with equal numbers of steps (rows are
// sorted longest first, so equal row counts would leave the first thread most of the work).
std::vector<int64_t> split_rows(const PackedLayout& l, int nt) {
  std::vector<int64_t> cut(nt + 1, l.B);
  cut[0] = 0;
  int64_t acc = 0;
  int k = 1;
  for (int64_t i = 0; i < l.B && k < nt; ++i) {
    acc += l.lengths[i];
    while (k < nt && acc * nt >= l.total * k) cut[k++] = i + 1;
  }
  return cut;
}

int recurrence_threads(const PackedLayout& l, int64_t H) { return 6.0 * l.total * H * H < 2e6 ? 1 : num_threads(); }

// Runs fn(r0, r1) once per thread on its range of sorted rows (serially when the work is small).
template <class F>
void over_row_ranges(const PackedLayout& l, int64_t H, F&& fn) {
  const int nt = recurrence_threads(l, H);
  const std::vector<int64_t> cut = split_rows(l, nt);
  parallel_run(
      [&](int tid, int) {
        if (cut[tid] < cut[tid + 1]) fn(cut[tid], cut[tid + 1]);
      },
      nt);
}

// The state before step t of sorted rows r0.. : h0 at t = 0, else the previous step's output.
const float* hprev_rows(const GruLayer& y, const float* h0s, const PackedLayout& l, int64_t t, int64_t r0) {
  return t == 0 ? h0s + r0 * y.H : y.out + (l.offsets[t - 1] + r0) * y.H;
}

void layer_forward(const GruLayer& y, const float* h0s, const PackedLayout& l, float* gi) {
  const int64_t H = y.H;
  sgemm(false, true, l.total, 3 * H, y.E, 1.f, y.x, y.E, y.w_ih, y.E, 0.f, gi, 3 * H);
  PackedB whh;
  pack_b_full(true, H, 3 * H, y.w_hh, H, &whh);
  const GruCellKernels cell = gru_cell_kernels();
  over_row_ranges(l, H, [&](int64_t r0, int64_t r1) {
    static thread_local AlignedBuffer gh_buf;
    float* gh = gh_buf.get((r1 - r0) * 3 * H);
    for (int64_t t = 0; t < l.T; ++t) {
      const int64_t rows = std::min<int64_t>(l.batch_sizes[t], r1) - r0;
      if (rows <= 0) break;
      const float* hp = hprev_rows(y, h0s, l, t, r0);
      sgemm_packed_b(false, rows, hp, H, whh, 0.f, gh, 3 * H);
      const int64_t row = l.offsets[t] + r0;
      cell.forward(rows, H, gi + row * 3 * H, gh, y.b_ih, y.b_hh, hp, y.out + row * H,
                   y.gates ? y.gates + row * 4 * H : nullptr);
    }
  });
}

// carry: in, the gradient w.r.t. each sequence's final state (sorted order); out, the
// gradient w.r.t. its initial state. dgi, dgh: total×3H scratch; hprev: total×H scratch.
void layer_backward(const GruLayer& y, const float* h0s, const PackedLayout& l, const float* dout, float* carry,
                    float* dgi, float* dgh, float* hprev, float* dx, float* dw_ih, float* dw_hh, float* db_ih,
                    float* db_hh) {
  const int64_t H = y.H;
  PackedB whh;
  pack_b_full(false, 3 * H, H, y.w_hh, H, &whh);
  const GruCellKernels cell = gru_cell_kernels();
  over_row_ranges(l, H, [&](int64_t r0, int64_t r1) {
    static thread_local AlignedBuffer dh_buf;
    float* dh = dh_buf.get((r1 - r0) * H);
    for (int64_t t = l.T - 1; t >= 0; --t) {
      const int64_t rows = std::min<int64_t>(l.batch_sizes[t], r1) - r0;
      if (rows <= 0) continue;
      const int64_t row = l.offsets[t] + r0;
      float* c = carry + r0 * H;
      for (int64_t k = 0; k < rows * H; ++k) dh[k] = c[k] + (dout ? dout[row * H + k] : 0.f);
      cell.backward(rows, H, dh, hprev_rows(y, h0s, l, t, r0), y.gates + row * 4 * H, dgi + row * 3 * H,
                    dgh + row * 3 * H, c);
      sgemm_packed_b(false, rows, dgh + row * 3 * H, 3 * H, whh, 1.f, c, H);  // c = dh·z + dgh·W_hh
    }
  });
  for (int64_t t = 0; t < l.T; ++t)
    std::memcpy(hprev + l.offsets[t] * H, hprev_rows(y, h0s, l, t, 0), l.batch_sizes[t] * H * sizeof(float));
  sgemm(true, false, 3 * H, H, l.total, 1.f, dgh, 3 * H, hprev, H, 0.f, dw_hh, H);
  sgemm(true, false, 3 * H, y.E, l.total, 1.f, dgi, 3 * H, y.x, y.E, 0.f, dw_ih, y.E);
  sum_rows(dgi, db_ih, l.total, 3 * H);
  sum_rows(dgh, db_hh, l.total, 3 * H);
  if (dx) sgemm(false, false, l.total, y.E, 3 * H, 1.f, dgi, 3 * H, y.w_ih, y.E, 0.f, dx, y.E);
}

// rows of src (B×H, original order) → dst (B×H, sorted order), or zeros if src is null.
void to_sorted(const float* src, const PackedLayout& l, int64_t H, float* dst) {
  for (int64_t i = 0; i < l.B; ++i)
    if (src)
      std::memcpy(dst + i * H, src + l.sorted[i] * H, H * sizeof(float));
    else
      std::memset(dst + i * H, 0, H * sizeof(float));
}

void from_sorted(const float* src, const PackedLayout& l, int64_t H, float* dst) {
  for (int64_t i = 0; i < l.B; ++i) std::memcpy(dst + l.sorted[i] * H, src + i * H, H * sizeof(float));
}

}  // namespace

int64_t gru_workspace_floats(int64_t L, int64_t total, int64_t H, bool save, bool dropout) {
  return gru_workspace_size(L, total, H, save, dropout);
}

void gru_forward(const float* x, const GruWeights& w, const float* h0, const PackedLayout& l, float p, uint32_t seed,
                 bool save, float* ws, float* out, float* hn) {
  const int64_t H = w.H;
  const int64_t n = l.total * H;
  const GruWorkspaceView v{ws, l.total, H, w.L, save, out};
  AlignedBuffer gi, h0s, last;
  for (int64_t k = 0; k < w.L; ++k) {
    if (k > 0 && p > 0.f) {  // inverted dropout on the previous layer's output
      const float* prev = v.out(k - 1);
      float *d = v.dropped(k), *m = v.mask(k);
      const uint32_t s = seed + static_cast<uint32_t>(k);
      const float keep = 1.f / (1.f - p);
      parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          m[i] = dropout_uniform(s, static_cast<uint64_t>(i)) >= p ? keep : 0.f;
          d[i] = prev[i] * m[i];
        }
      });
    }
    float* h0k = h0s.get(l.B * H);
    to_sorted(h0 ? h0 + k * l.B * H : nullptr, l, H, h0k);
    const GruLayer y = gru_layer(w, v, x, p, k);
    layer_forward(y, h0k, l, gi.get(l.total * 3 * H));
    float* hk = last.get(l.B * H);
    for (int64_t i = 0; i < l.B; ++i)
      std::memcpy(hk + i * H, y.out + (l.offsets[l.lengths[i] - 1] + i) * H, H * sizeof(float));
    from_sorted(hk, l, H, hn + k * l.B * H);
  }
}

void gru_backward(const float* x, const GruWeights& w, const float* h0, const PackedLayout& l, float p, const float* ws,
                  const float* out, const float* dout, const float* dhn, const GruGrads& g) {
  const int64_t H = w.H, n = l.total * H;
  // The kernels only read the workspace and output here.
  const GruWorkspaceView v{const_cast<float*>(ws), l.total, H, w.L, true, const_cast<float*>(out)};
  AlignedBuffer dgi, dgh, hprev, carry, h0s, dcur, dprev;
  const float* d = dout;  // gradient w.r.t. the current layer's output
  for (int64_t k = w.L - 1; k >= 0; --k) {
    float* c = carry.get(l.B * H);
    to_sorted(dhn ? dhn + k * l.B * H : nullptr, l, H, c);
    float* h0k = h0s.get(l.B * H);
    to_sorted(h0 ? h0 + k * l.B * H : nullptr, l, H, h0k);
    const GruLayer y = gru_layer(w, v, x, p, k);
    float* dx = k == 0 ? g.dx : dprev.get(n);
    layer_backward(y, h0k, l, d, c, dgi.get(l.total * 3 * H), dgh.get(l.total * 3 * H), hprev.get(n), dx, g.dw_ih[k],
                   g.dw_hh[k], g.db_ih[k], g.db_hh[k]);
    if (g.dh0) from_sorted(c, l, H, g.dh0 + k * l.B * H);
    if (k > 0) {  // through the dropout between layer k-1 and k
      float* next = dcur.get(n);
      const float* m = v.mask(k);
      if (p > 0.f)
        parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) next[i] = dx[i] * m[i];
        });
      else
        std::memcpy(next, dx, n * sizeof(float));
      d = next;
    }
  }
}

}  // namespace seqcore
