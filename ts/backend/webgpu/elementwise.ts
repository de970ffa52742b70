import { registerKernels, type BinaryName, type UnaryName } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { rowsCols } from '../backend.js';
import { gpu, scratch } from './backend.js';

// Op codes of kernels/elementwise.wgsl and kernels/unary.wgsl.
const BINARY: Record<BinaryName, number> = { add: 0, sub: 1, mul: 2 };
const UNARY: Record<UnaryName, number> = { sigmoid: 0, tanh: 1, relu: 2, gelu: 3 };
const P = 'uuuuf'; // n, d, op, off, s (and stride: sumColumns)
/** Rows per partial sum of sum_rows_partial (kernels/elementwise.wgsl's RCHUNK). */
const RCHUNK = 1024;

/**
 * out (d) = Σ over rows r of x[r·stride + off + j] for j < d: column sums of a block of a
 * wider matrix, by chunks of RCHUNK rows, then the chunks (deterministic).
 */
export function sumColumns(x: Tensor, rows: number, stride: number, off: number, d: number, out: Tensor): void {
  const chunks = Math.ceil(rows / RCHUNK), partials = scratch(out, chunks * d);
  gpu(out).dispatch1d('elementwise', 'sum_rows_partial', [x, partials], 'uuuufu', [rows, d, 0, off, 0, stride], chunks * d);
  gpu(out).dispatch1d('elementwise', 'sum_rows_total', [partials, out], P, [chunks, d, 0, 0, 0], d);
  partials.dispose();
}

registerKernels('webgpu', {
  binary: (op, a, b, out) => gpu(out).dispatch1d('elementwise', 'binary', [a, b, out], P, [out.size, 0, BINARY[op], 0, 0], out.size),
  scale(x, s, out) {
    if (x.storage === out.storage) gpu(out).dispatch1d('elementwise', 'scale_in_place', [out], P, [out.size, 0, 0, 0, s], out.size);
    else gpu(out).dispatch1d('elementwise', 'scale', [x, out], P, [out.size, 0, 0, 0, s], out.size);
  },
  axpy: (alpha, x, y) => gpu(y).dispatch1d('elementwise', 'axpy', [x, y], P, [y.size, 0, 0, 0, alpha], y.size),
  fill: (out, value) => gpu(out).dispatch1d('elementwise', 'fill', [out], P, [out.size, 0, 0, 0, value], out.size),
  broadcastScalar: (g, s, out) => gpu(out).dispatch1d('elementwise', 'broadcast_scalar', [g, out], P, [out.size, 0, 0, 0, s], out.size),
  addBias(x, bias, out) {
    const [, D] = rowsCols(x);
    if (x.storage === out.storage) gpu(out).dispatch1d('elementwise', 'add_bias_in_place', [out, bias], P, [out.size, D, 0, 0, 0], out.size);
    else gpu(out).dispatch1d('elementwise', 'add_bias', [x, bias, out], P, [out.size, D, 0, 0, 0], out.size);
  },
  sumRows(x, out) {
    const [rows, D] = rowsCols(x);
    sumColumns(x, rows, D, 0, D, out);
  },
  unary: (op, x, y) => gpu(y).dispatch1d('unary', 'unary', [x, y], 'uu', [y.size, UNARY[op]], y.size),
  unaryGrad: (op, x, y, dy, dx) => gpu(dx).dispatch1d('unary', 'unary_grad', [x, y, dy, dx], 'uu', [dx.size, UNARY[op]], dx.size),
});
