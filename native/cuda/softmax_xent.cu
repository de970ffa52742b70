// Fused softmax cross-entropy and row softmax, the CUDA side of native/cpu/softmax_xent.cc:
// the same row log-sum-exp (max, then Σ fast_exp(x − max) in float, lse = max + log Σ), the
// same softmax (fast_exp(x − lse)), the loss summed in float64 and divided by the count on
// the device (as the CPU backend does on the host), and the gradient's scale dloss/count
// read from the device.
//
// Targets outside [0, C) other than `ignore` (the CPU bindings reject them before the
// kernel) raise a device fault (kTargetOutOfRange against C) naming the first such row; those
// rows are left out of the loss and get zero gradient.
#include <cmath>

#include "common/device_math.h"
#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

// log Σ_c exp(x[c]) of one row by its group of G threads (every thread gets it).
template <int G>
__device__ float row_lse(const float* x, int64_t C, int lane) {
  using R = RowGroup<G>;
  float m = -INFINITY;
  for (int64_t c = lane; c < C; c += G) m = x[c] > m ? x[c] : m;
  m = R::reduce(m, MaxOp(), -INFINITY);
  float s = 0.f;
  for (int64_t c = lane; c < C; c += G) s += fast_exp(x[c] - m);
  s = R::reduce(s, SumOp(), 0.f);
  return m + logf(s);
}

// G threads per row (a warp for C ≤ kWarpRowMax, else the block) on a fixed grid
// (fixed_blocks(N·G), a function of N and C only), grid-stride over rows: lse[r], and each
// group's lane 0 adds the row's lse − logit[target] and 1 to its thread's float64 sums; the
// block reduces them into part_loss/part_count[block].
template <int G>
__global__ void __launch_bounds__(kThreads)
    xent_kernel(const float* logits, const int32_t* targets, float* lse, int64_t N, int64_t C, int32_t ignore,
                double* part_loss, double* part_count, unsigned long long* bad_slot) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  double loss = 0, count = 0;
  unsigned long long bad = kNoBad;
  for (int64_t r = R::first(); r < N; r += R::stride()) {
    const float* x = logits + r * C;
    const float l = row_lse<G>(x, C, lane);
    const int32_t t = targets[r];
    if (lane == 0) lse[r] = l;
    if (t == ignore) continue;
    if (t >= 0 && t < C) {
      if (lane == 0) {
        loss += static_cast<double>(l) - x[t];
        count += 1;
      }
    } else if (bad == kNoBad) {
      bad = static_cast<unsigned long long>(r);
    }
  }
  loss = block_reduce(loss, SumOp(), 0.0);
  count = block_reduce(count, SumOp(), 0.0);
  if (threadIdx.x == 0) {
    part_loss[blockIdx.x] = loss;
    part_count[blockIdx.x] = count;
  }
  note_first_bad(bad_slot, bad);
}

// One block of kThreads: sums the blocks' partials in a fixed order; loss = Σ/count (0 if no
// row counted), count.
__global__ void __launch_bounds__(kThreads)
    xent_finish_kernel(const double* part_loss, const double* part_count, int blocks, float* loss, float* count) {
  const double total = block_sum_of(part_loss, blocks);
  const double n = block_sum_of(part_count, blocks);
  if (threadIdx.x == 0) {
    *loss = n > 0 ? static_cast<float>(total / n) : 0.f;
    *count = static_cast<float>(n);
  }
}

// G threads per row, grid-stride over rows: scale·softmax − scale·onehot(target), with
// scale = dloss/count (0 if count is 0), each product rounded as on the CPU; zero rows for
// ignored (and out-of-range) targets.
template <int G>
__global__ void __launch_bounds__(kThreads)
    xent_grad_kernel(const float* logits, const int32_t* targets, const float* lse, const float* count,
                     const float* dloss, float* dlogits, int64_t N, int64_t C, int32_t ignore,
                     unsigned long long* bad_slot) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  const float n = *count;
  const float scale = n > 0.f ? static_cast<float>(static_cast<double>(*dloss) / n) : 0.f;
  unsigned long long bad = kNoBad;
  for (int64_t r = R::first(); r < N; r += R::stride()) {
    const float* x = logits + r * C;
    float* d = dlogits + r * C;
    const int32_t t = targets[r];
    const bool ok = t != ignore && t >= 0 && t < C;
    if (t != ignore && !ok && bad == kNoBad) bad = static_cast<unsigned long long>(r);
    if (!ok) {
      for (int64_t c = lane; c < C; c += G) d[c] = 0.f;
      continue;
    }
    const float l = lse[r];
    for (int64_t c = lane; c < C; c += G) {
      const float v = __fmul_rn(scale, fast_exp(x[c] - l));
      d[c] = c == t ? v - scale : v;
    }
  }
  note_first_bad(bad_slot, bad);
}

// G threads per row, grid-stride over rows: y = fast_exp(x − lse).
template <int G>
__global__ void __launch_bounds__(kThreads) softmax_kernel(const float* x, float* y, int64_t N, int64_t C) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  for (int64_t r = R::first(); r < N; r += R::stride()) {
    const float* xr = x + r * C;
    const float l = row_lse<G>(xr, C, lane);
    for (int64_t c = lane; c < C; c += G) y[r * C + c] = fast_exp(xr[c] - l);
  }
}

// G threads per row, grid-stride over rows: dot = Σ y·dy (float64), dx = y·(dy − dot).
template <int G>
__global__ void __launch_bounds__(kThreads)
    softmax_grad_kernel(const float* y, const float* dy, float* dx, int64_t N, int64_t C) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  for (int64_t r = R::first(); r < N; r += R::stride()) {
    const float *yr = y + r * C, *g = dy + r * C;
    double dot = 0;
    for (int64_t c = lane; c < C; c += G) dot += static_cast<double>(yr[c]) * g[c];
    const float d = static_cast<float>(R::reduce(dot, SumOp(), 0.0));
    for (int64_t c = lane; c < C; c += G) dx[r * C + c] = yr[c] * (g[c] - d);
  }
}

template <int G>
void launch_xent(const float* logits, const int32_t* targets, float* lse, int64_t N, int64_t C, int32_t ignore,
                 float* loss, float* count) {
  const unsigned blocks = fixed_blocks(N * G);
  Scratch part(2 * blocks * sizeof(double));
  double* part_loss = part.as<double>();
  double* part_count = part_loss + blocks;
  FirstBad bad;
  xent_kernel<G>
      <<<blocks, kThreads, 0, stream()>>>(logits, targets, lse, N, C, ignore, part_loss, part_count, bad.slot());
  check_launch("softmax_xent");
  xent_finish_kernel<<<1, kThreads, 0, stream()>>>(part_loss, part_count, static_cast<int>(blocks), loss, count);
  check_launch("softmax_xent");
  bad.raise(fault_site("softmaxXent", kTargetOutOfRange, C), targets);
}

}  // namespace

void softmax_xent(const float* logits, const int32_t* targets, float* lse, int64_t N, int64_t C, int32_t ignore,
                  float* loss, float* count) {
  // N = 0 still writes loss = 0 and count = 0.
  if (C <= kWarpRowMax)
    launch_xent<32>(logits, targets, lse, N, C, ignore, loss, count);
  else
    launch_xent<kThreads>(logits, targets, lse, N, C, ignore, loss, count);
}

void softmax_xent_grad(const float* logits, const int32_t* targets, const float* lse, const float* count,
                       const float* dloss, float* dlogits, int64_t N, int64_t C, int32_t ignore) {
  if (N <= 0) return;
  FirstBad bad;
  if (C <= kWarpRowMax)
    xent_grad_kernel<32><<<row_blocks(N, 32), kThreads, 0, stream()>>>(logits, targets, lse, count, dloss, dlogits, N,
                                                                       C, ignore, bad.slot());
  else
    xent_grad_kernel<kThreads><<<row_blocks(N, kThreads), kThreads, 0, stream()>>>(logits, targets, lse, count, dloss,
                                                                                   dlogits, N, C, ignore, bad.slot());
  check_launch("softmax_xent_grad");
  bad.raise(fault_site("softmaxXentGrad", kTargetOutOfRange, C), targets);
}

void softmax_rows(const float* x, float* y, int64_t N, int64_t C) {
  if (N <= 0 || C <= 0) return;
  if (C <= kWarpRowMax)
    softmax_kernel<32><<<row_blocks(N, 32), kThreads, 0, stream()>>>(x, y, N, C);
  else
    softmax_kernel<kThreads><<<row_blocks(N, kThreads), kThreads, 0, stream()>>>(x, y, N, C);
  check_launch("softmax_rows");
}

void softmax_rows_grad(const float* y, const float* dy, float* dx, int64_t N, int64_t C) {
  if (N <= 0 || C <= 0) return;
  if (C <= kWarpRowMax)
    softmax_grad_kernel<32><<<row_blocks(N, 32), kThreads, 0, stream()>>>(y, dy, dx, N, C);
  else
    softmax_grad_kernel<kThreads><<<row_blocks(N, kThreads), kThreads, 0, stream()>>>(y, dy, dx, N, C);
  check_launch("softmax_rows_grad");
}

}  // namespace cuda
}  // namespace seqcore
