// JavaScript entry points of the elementwise kernels (native/cpu/elementwise.cc, native/cuda/elementwise.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

UnaryOp unary_op(const Args& a, size_t i) {
  int64_t op = a.size(i, "op");
  if (op > 3) a.fail("unknown unary op " + std::to_string(op));
  return static_cast<UnaryOp>(op);
}

Napi::Value Binary(Info info) {  // backend::binary(op, a, b, out, n)
  Args a(info, "binary", 5);
  int64_t op = a.size(0, "op"), n = a.size(4, "n");
  if (op > 2) a.fail("unknown binary op " + std::to_string(op));
  backend::binary(static_cast<BinaryOp>(op), a.buf<float>(1, "a", n), a.buf<float>(2, "b", n),
                  a.buf<float>(3, "out", n), n);
  return Undef(info);
}

Napi::Value Scale(Info info) {  // backend::scale(x, s, out, n)
  Args a(info, "scale", 4);
  int64_t n = a.size(3, "n");
  backend::scale(a.buf<float>(0, "x", n), static_cast<float>(a.num(1, "s")), a.buf<float>(2, "out", n), n);
  return Undef(info);
}

Napi::Value Axpy(Info info) {  // backend::axpy(alpha, x, y, n): y += alpha·x
  Args a(info, "axpy", 4);
  int64_t n = a.size(3, "n");
  backend::axpy(static_cast<float>(a.num(0, "alpha")), a.buf<float>(1, "x", n), a.buf<float>(2, "y", n), n);
  return Undef(info);
}

Napi::Value Fill(Info info) {  // backend::fill(out, value, n)
  Args a(info, "fill", 3);
  int64_t n = a.size(2, "n");
  backend::fill(a.buf<float>(0, "out", n), static_cast<float>(a.num(1, "value")), n);
  return Undef(info);
}

Napi::Value BroadcastScalar(Info info) {  // broadcastScalar(g, s, out, n): out = s·g[0]
  Args a(info, "broadcastScalar", 4);
  int64_t n = a.size(3, "n");
  backend::broadcast_scalar(a.buf<float>(0, "g", 1), static_cast<float>(a.num(1, "s")), a.buf<float>(2, "out", n), n);
  return Undef(info);
}

Napi::Value AddBias(Info info) {  // addBias(x, bias, out, rows, D)
  Args a(info, "addBias", 5);
  int64_t rows = a.size(3, "rows"), D = a.size(4, "D"), n = a.mul(rows, D, "rows × D");
  backend::add_bias(a.buf<float>(0, "x", n), a.buf<float>(1, "bias", D), a.buf<float>(2, "out", n), rows, D);
  return Undef(info);
}

Napi::Value SumRows(Info info) {  // sumRows(x, out, rows, D)
  Args a(info, "sumRows", 4);
  int64_t rows = a.size(2, "rows"), D = a.size(3, "D");
  backend::sum_rows(a.buf<float>(0, "x", a.mul(rows, D, "rows × D")), a.buf<float>(1, "out", D), rows, D);
  return Undef(info);
}

Napi::Value Unary(Info info) {  // backend::unary(op, x, y, n)
  Args a(info, "unary", 4);
  int64_t n = a.size(3, "n");
  backend::unary(unary_op(a, 0), a.buf<float>(1, "x", n), a.buf<float>(2, "y", n), n);
  return Undef(info);
}

Napi::Value UnaryGrad(Info info) {  // unaryGrad(op, x, y, dy, dx, n)
  Args a(info, "unaryGrad", 6);
  int64_t n = a.size(5, "n");
  backend::unary_grad(unary_op(a, 0), a.buf<float>(1, "x", n), a.buf<float>(2, "y", n), a.buf<float>(3, "dy", n),
                      a.buf<float>(4, "dx", n), n);
  return Undef(info);
}

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
  export_fn<Binary>(env, exports, "binary");
  export_fn<Scale>(env, exports, "scale");
  export_fn<Axpy>(env, exports, "axpy");
  export_fn<Fill>(env, exports, "fill");
  export_fn<BroadcastScalar>(env, exports, "broadcastScalar");
  export_fn<AddBias>(env, exports, "addBias");
  export_fn<SumRows>(env, exports, "sumRows");
  export_fn<Unary>(env, exports, "unary");
  export_fn<UnaryGrad>(env, exports, "unaryGrad");
}

}  // namespace seqcore
