// Elementwise kernels, the CUDA side of native/cpu/elementwise.cc: the same formulas, with
// products that feed a sum written as __fmul_rn/__fadd_rn so that nvcc does not fuse them
// into an FMA (the CPU build, baseline x86-64, rounds every operation), and libm's float
// functions (expf, tanhf, erff) where the CPU calls std::exp, std::tanh, std::erf.
#include <cmath>

#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

// 1-D: kThreads per block, grid_for(n) blocks, grid-stride over the n elements.
template <BinaryOp Op>
__global__ void __launch_bounds__(kThreads) binary_kernel(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) {
    if constexpr (Op == BinaryOp::Add)
      out[i] = a[i] + b[i];
    else if constexpr (Op == BinaryOp::Sub)
      out[i] = a[i] - b[i];
    else
      out[i] = a[i] * b[i];
  }
}

// 1-D, as binary_kernel.
__global__ void __launch_bounds__(kThreads) scale_kernel(const float* x, float s, float* out, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) out[i] = s * x[i];
}

// 1-D, as binary_kernel. y += alpha·x, unfused.
__global__ void __launch_bounds__(kThreads) axpy_kernel(float alpha, const float* x, float* y, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) y[i] = __fadd_rn(y[i], __fmul_rn(alpha, x[i]));
}

// 1-D, as binary_kernel.
__global__ void __launch_bounds__(kThreads) fill_kernel(float* out, float value, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) out[i] = value;
}

// 1-D, as binary_kernel; every thread reads g[0]. s·g[0] is one float product, the same
// bits as the CPU's float(s·g) computed in double (a product of two floats is exact there).
__global__ void __launch_bounds__(kThreads) broadcast_scalar_kernel(const float* g, float s, float* out, int64_t n) {
  const float v = s * g[0];
  for (int64_t i = global_index(); i < n; i += global_stride()) out[i] = v;
}

// 1-D over the rows·D elements, as binary_kernel; Index is uint32_t when rows·D fits (a
// cheaper modulo for the column), else int64_t.
template <class Index>
__global__ void __launch_bounds__(kThreads)
    add_bias_kernel(const float* x, const float* bias, float* out, Index total, Index D) {
  for (int64_t i = global_index(); i < static_cast<int64_t>(total); i += global_stride())
    out[i] = x[i] + bias[static_cast<Index>(i) % D];
}

// 1-D, as binary_kernel.
template <UnaryOp Op>
__global__ void __launch_bounds__(kThreads) unary_kernel(const float* x, float* y, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) {
    const float v = x[i];
    if constexpr (Op == UnaryOp::Sigmoid)
      y[i] = 1.f / (1.f + expf(-v));
    else if constexpr (Op == UnaryOp::Tanh)
      y[i] = tanhf(v);
    else if constexpr (Op == UnaryOp::Relu)
      y[i] = v > 0.f ? v : 0.f;
    else
      y[i] = 0.5f * v * (1.f + erff(v * kInvSqrt2));  // exact (erf) GELU, as torch.nn.GELU()
  }
}

// 1-D, as binary_kernel. Sigmoid and tanh use y = f(x); relu and gelu use x.
template <UnaryOp Op>
__global__ void __launch_bounds__(kThreads)
    unary_grad_kernel(const float* x, const float* y, const float* dy, float* dx, int64_t n) {
  for (int64_t i = global_index(); i < n; i += global_stride()) {
    if constexpr (Op == UnaryOp::Sigmoid) {
      dx[i] = dy[i] * y[i] * (1.f - y[i]);
    } else if constexpr (Op == UnaryOp::Tanh) {
      dx[i] = dy[i] * (1.f - __fmul_rn(y[i], y[i]));
    } else if constexpr (Op == UnaryOp::Relu) {
      dx[i] = x[i] > 0.f ? dy[i] : 0.f;
    } else {
      const float v = x[i];
      const float cdf = 0.5f * (1.f + erff(v * kInvSqrt2));
      const float pdf = kInvSqrt2Pi * expf(-0.5f * v * v);
      dx[i] = dy[i] * __fadd_rn(cdf, __fmul_rn(v, pdf));
    }
  }
}

// sum_rows' column term: x[r, j].
struct SumRowsTerm {
  const float* x;
  int64_t D;
  __device__ void operator()(int64_t r, int64_t j, double* v) const { v[0] = x[r * D + j]; }
};

}  // namespace

void binary(BinaryOp op, const float* a, const float* b, float* out, int64_t n) {
  if (n <= 0) return;
  const unsigned blocks = grid_for(n, kThreads);
  switch (op) {
    case BinaryOp::Add:
      binary_kernel<BinaryOp::Add><<<blocks, kThreads, 0, stream()>>>(a, b, out, n);
      break;
    case BinaryOp::Sub:
      binary_kernel<BinaryOp::Sub><<<blocks, kThreads, 0, stream()>>>(a, b, out, n);
      break;
    case BinaryOp::Mul:
      binary_kernel<BinaryOp::Mul><<<blocks, kThreads, 0, stream()>>>(a, b, out, n);
      break;
    default:
      return;  // as the CPU: an unknown op does nothing (the bindings reject it)
  }
  check_launch("binary");
}

void scale(const float* x, float s, float* out, int64_t n) {
  if (n <= 0) return;
  scale_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(x, s, out, n);
  check_launch("scale");
}

void axpy(float alpha, const float* x, float* y, int64_t n) {
  if (n <= 0) return;
  axpy_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(alpha, x, y, n);
  check_launch("axpy");
}

void fill(float* out, float value, int64_t n) {
  if (n <= 0) return;
  fill_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(out, value, n);
  check_launch("fill");
}

void broadcast_scalar(const float* g, float s, float* out, int64_t n) {
  if (n <= 0) return;
  broadcast_scalar_kernel<<<grid_for(n, kThreads), kThreads, 0, stream()>>>(g, s, out, n);
  check_launch("broadcast_scalar");
}

void add_bias(const float* x, const float* bias, float* out, int64_t rows, int64_t D) {
  if (rows <= 0 || D <= 0) return;
  const int64_t total = rows * D;
  const unsigned blocks = grid_for(total, kThreads);
  if (total <= 0xFFFFFFFFll)
    add_bias_kernel<uint32_t>
        <<<blocks, kThreads, 0, stream()>>>(x, bias, out, static_cast<uint32_t>(total), static_cast<uint32_t>(D));
  else
    add_bias_kernel<int64_t><<<blocks, kThreads, 0, stream()>>>(x, bias, out, total, D);
  check_launch("add_bias");
}

// Column sums in float64 (reduce.cuh's column_sums), rows = 0 writes zeros.
void sum_rows(const float* x, float* out, int64_t rows, int64_t D) {
  column_sums<1>(SumRowsTerm{x, D}, rows, D, ColumnOuts<1>{{out}}, "sum_rows");
}

void unary(UnaryOp op, const float* x, float* y, int64_t n) {
  if (n <= 0) return;
  const unsigned blocks = grid_for(n, kThreads);
  switch (op) {
    case UnaryOp::Sigmoid:
      unary_kernel<UnaryOp::Sigmoid><<<blocks, kThreads, 0, stream()>>>(x, y, n);
      break;
    case UnaryOp::Tanh:
      unary_kernel<UnaryOp::Tanh><<<blocks, kThreads, 0, stream()>>>(x, y, n);
      break;
    case UnaryOp::Relu:
      unary_kernel<UnaryOp::Relu><<<blocks, kThreads, 0, stream()>>>(x, y, n);
      break;
    case UnaryOp::Gelu:
      unary_kernel<UnaryOp::Gelu><<<blocks, kThreads, 0, stream()>>>(x, y, n);
      break;
    default:
      return;
  }
  check_launch("unary");
}

void unary_grad(UnaryOp op, const float* x, const float* y, const float* dy, float* dx, int64_t n) {
  if (n <= 0) return;
  const unsigned blocks = grid_for(n, kThreads);
  switch (op) {
    case UnaryOp::Sigmoid:
      unary_grad_kernel<UnaryOp::Sigmoid><<<blocks, kThreads, 0, stream()>>>(x, y, dy, dx, n);
      break;
    case UnaryOp::Tanh:
      unary_grad_kernel<UnaryOp::Tanh><<<blocks, kThreads, 0, stream()>>>(x, y, dy, dx, n);
      break;
    case UnaryOp::Relu:
      unary_grad_kernel<UnaryOp::Relu><<<blocks, kThreads, 0, stream()>>>(x, y, dy, dx, n);
      break;
    case UnaryOp::Gelu:
      unary_grad_kernel<UnaryOp::Gelu><<<blocks, kThreads, 0, stream()>>>(x, y, dy, dx, n);
      break;
    default:
      return;
  }
  check_launch("unary_grad");
}

}  // namespace cuda
}  // namespace seqcore
