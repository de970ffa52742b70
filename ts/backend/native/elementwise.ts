import { registerKernels, type BinaryName, type UnaryName } from '../registry.js';
import { rowsCols } from '../backend.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

// Op codes shared with native/common/kernel_types.h (BinaryOp, UnaryOp).
const BINARY: Record<BinaryName, number> = { add: 0, sub: 1, mul: 2 };
const UNARY: Record<UnaryName, number> = { sigmoid: 0, tanh: 1, relu: 2, gelu: 3 };

export function registerElementwise(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    binary: (op, a, b, out) => native.binary(BINARY[op], sid(a), sid(b), sid(out), out.size),
    scale: (x, s, out) => native.scale(sid(x), s, sid(out), out.size),
    axpy: (alpha, x, y) => native.axpy(alpha, sid(x), sid(y), y.size),
    fill: (out, value) => native.fill(sid(out), value, out.size),
    broadcastScalar: (g, s, out) => native.broadcastScalar(sid(g), s, sid(out), out.size),
    addBias(x, bias, out) {
      const [rows, D] = rowsCols(x);
      native.addBias(sid(x), sid(bias), sid(out), rows, D);
    },
    sumRows(x, out) {
      const [rows, D] = rowsCols(x);
      native.sumRows(sid(x), sid(out), rows, D);
    },
    unary: (op, x, y) => native.unary(UNARY[op], sid(x), sid(y), y.size),
    unaryGrad: (op, x, y, dy, dx) => native.unaryGrad(UNARY[op], sid(x), sid(y), sid(dy), sid(dx), dx.size),
  });
}
