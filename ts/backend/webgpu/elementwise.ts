import { registerKernels, type BinaryName, type UnaryName } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { rowsCols } from '../backend.js';
import { gpu, scratch } from './backend.js';

// Op codes of kernels/elementwise.wgsl and kernels/unary.wgsl.
const BINARY: Record<BinaryName, number> = { add: 0, sub: 1, mul: 2 };
const UNARY: Record<UnaryName, number> = { sigmoid: 0, tanh: 1, relu: 2, gelu: 3 };
/** kernels/elementwise.wgsl's Params at zero: each entry point reads only some of the fields. */
const ZERO = { n: 0, d: 0, op: 0, off: 0, s: 0, stride: 0 };
/** Rows per partial sum of sum_rows_partial (kernels/elementwise.wgsl's RCHUNK). */
const RCHUNK = 1024;

/**
 * out (d) = Σ over rows r of x[r·stride + off + j] for j < d: column sums of a block of a
 * wider matrix, by chunks of RCHUNK rows, then the chunks (deterministic).
 */
export function sumColumns(x: Tensor, rows: number, stride: number, off: number, d: number, out: Tensor): void {
  const chunks = Math.ceil(rows / RCHUNK),
    partials = scratch(out, chunks * d);
  gpu(out).dispatch1d('elementwise', 'sum_rows_partial', [x, partials], { ...ZERO, n: rows, d, off, stride }, chunks * d);
  gpu(out).dispatch1d('elementwise', 'sum_rows_total', [partials, out], { ...ZERO, n: chunks, d }, d);
  partials.dispose();
}

/** out = value everywhere. */
export function fill(out: Tensor, value: number): void {
  gpu(out).dispatch1d('elementwise', 'fill', [out], { ...ZERO, n: out.size, s: value }, out.size);
}

registerKernels('webgpu', {
  binary: (op, a, b, out) => gpu(out).dispatch1d('elementwise', 'binary', [a, b, out], { ...ZERO, n: out.size, op: BINARY[op] }, out.size),
  scale(x, s, out) {
    if (x.storage === out.storage) gpu(out).dispatch1d('elementwise', 'scale_in_place', [out], { ...ZERO, n: out.size, s }, out.size);
    else gpu(out).dispatch1d('elementwise', 'scale', [x, out], { ...ZERO, n: out.size, s }, out.size);
  },
  axpy: (alpha, x, y) => gpu(y).dispatch1d('elementwise', 'axpy', [x, y], { ...ZERO, n: y.size, s: alpha }, y.size),
  fill,
  broadcastScalar: (g, s, out) => gpu(out).dispatch1d('elementwise', 'broadcast_scalar', [g, out], { ...ZERO, n: out.size, s }, out.size),
  addBias(x, bias, out) {
    const [, D] = rowsCols(x);
    if (x.storage === out.storage) gpu(out).dispatch1d('elementwise', 'add_bias_in_place', [out, bias], { ...ZERO, n: out.size, d: D }, out.size);
    else gpu(out).dispatch1d('elementwise', 'add_bias', [x, bias, out], { ...ZERO, n: out.size, d: D }, out.size);
  },
  sumRows(x, out) {
    const [rows, D] = rowsCols(x);
    sumColumns(x, rows, D, 0, D, out);
  },
  unary: (op, x, y) => gpu(y).dispatch1d('unary', 'unary', [x, y], { n: y.size, op: UNARY[op] }, y.size),
  unaryGrad: (op, x, y, dy, dx) => gpu(dx).dispatch1d('unary', 'unary_grad', [x, y, dy, dx], { n: dx.size, op: UNARY[op] }, dx.size),
});
