// Elementwise kernels, bias add / row sums and activations (GELU in its exact erf form).
import { registerKernels, type BinaryName, type UnaryName } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData } from './backend.js';
import { rowsCols } from '../backend.js';
import { erfc } from './erf.js';

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)

function sameSize(what: string, ...ts: Tensor[]): void {
  for (const t of ts) if (t.size !== ts[0]!.size) throw new TypeError(`reference ${what}: sizes differ (${ts.map((u) => u.describe()).join(', ')})`);
}

function binary(op: BinaryName, a: Tensor, b: Tensor, out: Tensor): void {
  sameSize('binary', a, b, out);
  const A = refData(a),
    B = refData(b),
    O = refData(out);
  const n = out.size;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) O[i] = A[i]! + B[i]!;
      return;
    case 'sub':
      for (let i = 0; i < n; i++) O[i] = A[i]! - B[i]!;
      return;
    case 'mul':
      for (let i = 0; i < n; i++) O[i] = A[i]! * B[i]!;
      return;
  }
  throw new TypeError(`reference binary: unknown op '${String(op)}'`);
}

function scale(x: Tensor, s: number, out: Tensor): void {
  sameSize('scale', x, out);
  const X = refData(x),
    O = refData(out);
  for (let i = 0; i < out.size; i++) O[i] = s * X[i]!;
}

function axpy(alpha: number, x: Tensor, y: Tensor): void {
  sameSize('axpy', x, y);
  const X = refData(x),
    Y = refData(y);
  for (let i = 0; i < y.size; i++) Y[i] = Y[i]! + alpha * X[i]!;
}

function fill(out: Tensor, value: number): void {
  refData(out).fill(value);
}

function broadcastScalar(g: Tensor, s: number, out: Tensor): void {
  if (g.size !== 1) throw new TypeError(`reference broadcastScalar: g must have one element, got ${g.describe()}`);
  refData(out).fill(s * refData(g)[0]!);
}

function addBias(x: Tensor, bias: Tensor, out: Tensor): void {
  sameSize('addBias', x, out);
  const [rows, D] = rowsCols(x);
  if (bias.size !== D) throw new TypeError(`reference addBias: ${bias.describe()} does not match the last axis of ${x.describe()}`);
  const X = refData(x),
    Bi = refData(bias),
    O = refData(out);
  for (let r = 0; r < rows; r++) for (let j = 0; j < D; j++) O[r * D + j] = X[r * D + j]! + Bi[j]!;
}

function sumRows(x: Tensor, out: Tensor): void {
  const [rows, D] = rowsCols(x);
  if (out.size !== D) throw new TypeError(`reference sumRows: ${out.describe()} does not match the last axis of ${x.describe()}`);
  const X = refData(x);
  const acc = new Float64Array(D);
  for (let r = 0; r < rows; r++) for (let j = 0; j < D; j++) acc[j] = acc[j]! + X[r * D + j]!;
  refData(out).set(acc);
}

/** Φ(x), the standard normal CDF, accurate in both tails. */
function normalCdf(x: number): number {
  return 0.5 * erfc(-x * INV_SQRT2);
}

function unary(op: UnaryName, x: Tensor, y: Tensor): void {
  sameSize('unary', x, y);
  const X = refData(x),
    Y = refData(y);
  const n = y.size;
  switch (op) {
    case 'sigmoid':
      for (let i = 0; i < n; i++) Y[i] = 1 / (1 + Math.exp(-X[i]!));
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) Y[i] = Math.tanh(X[i]!);
      return;
    case 'relu':
      for (let i = 0; i < n; i++) Y[i] = X[i]! > 0 ? X[i]! : 0;
      return;
    // 0.5·x·(1 + erf(x/√2)) = x·Φ(x)
    case 'gelu':
      for (let i = 0; i < n; i++) Y[i] = X[i]! * normalCdf(X[i]!);
      return;
  }
  throw new TypeError(`reference unary: unknown op '${String(op)}'`);
}

function unaryGrad(op: UnaryName, x: Tensor, y: Tensor, dy: Tensor, dx: Tensor): void {
  sameSize('unaryGrad', dy, dx);
  const DY = refData(dy),
    DX = refData(dx);
  const n = dx.size;
  switch (op) {
    case 'sigmoid': {
      sameSize('unaryGrad', y, dx);
      const Y = refData(y);
      for (let i = 0; i < n; i++) DX[i] = DY[i]! * Y[i]! * (1 - Y[i]!);
      return;
    }
    case 'tanh': {
      sameSize('unaryGrad', y, dx);
      const Y = refData(y);
      for (let i = 0; i < n; i++) DX[i] = DY[i]! * (1 - Y[i]! * Y[i]!);
      return;
    }
    case 'relu': {
      sameSize('unaryGrad', x, dx);
      const X = refData(x);
      for (let i = 0; i < n; i++) DX[i] = X[i]! > 0 ? DY[i]! : 0;
      return;
    }
    case 'gelu': {
      sameSize('unaryGrad', x, dx);
      const X = refData(x);
      for (let i = 0; i < n; i++) {
        const v = X[i]!;
        const pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
        DX[i] = DY[i]! * (normalCdf(v) + v * pdf);
      }
      return;
    }
  }
  throw new TypeError(`reference unaryGrad: unknown op '${String(op)}'`);
}

registerKernels('reference', { binary, scale, axpy, fill, broadcastScalar, addBias, sumRows, unary, unaryGrad });
