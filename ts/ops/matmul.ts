import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkFloat, checkRank, checkSameBackend, fail, fmt, lastDim } from './check.js';

/** op(a)·op(b) into a new tensor; a, b 2-D (no autograd: for ops' forward and backward). */
export function gemm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const M = transA ? a.shape[1]! : a.shape[0]!;
  const N = transB ? b.shape[0]! : b.shape[1]!;
  const c = alloc(a, [M, N]);
  kernel('gemm', a)(a, b, c, { transA, transB, alpha: 1, beta: 0 });
  return c;
}

/**
 * a (M×K) · b (K×N) → M×N, with either operand transposed in place by the flags
 * (a stored K×M when transA, b stored N×K when transB).
 */
export function matmul(a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean } = {}): Tensor {
  const ta = opts.transA ?? false,
    tb = opts.transB ?? false;
  checkFloat('matmul', 'a', a);
  checkFloat('matmul', 'b', b);
  checkRank('matmul', 'a', a, 2);
  checkRank('matmul', 'b', b, 2);
  checkSameBackend('matmul', a, b);
  const ka = ta ? a.shape[0] : a.shape[1],
    kb = tb ? b.shape[1] : b.shape[0];
  if (ka !== kb) fail('matmul', `inner dimensions differ: a ${fmt(a.shape)}${ta ? 'ᵀ' : ''} · b ${fmt(b.shape)}${tb ? 'ᵀ' : ''}`);
  const c = gemm(a, b, ta, tb);
  record('matmul', [a, b], [c], ([g]) => {
    const dc = g!;
    // dA = dC·op(B)ᵀ (or its transpose when A is stored transposed); likewise dB.
    const da = a.requiresGrad ? (ta ? gemm(b, dc, tb, true) : gemm(dc, b, false, !tb)) : null;
    const db = b.requiresGrad ? (tb ? gemm(dc, a, true, ta) : gemm(a, dc, !ta, false)) : null;
    return [da, db];
  });
  return c;
}

/**
 * x (..., in) · weightᵀ + bias → (..., out); weight is out×in as in torch.nn.Linear.
 * One node: one GEMM and an in-place bias add forward, two GEMMs and a row sum backward.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'linear';
  checkFloat(op, 'x', x);
  checkFloat(op, 'weight', weight);
  checkRank(op, 'weight', weight, 2);
  if (x.rank < 1) fail(op, `x must have rank ≥ 1, got ${fmt(x.shape)}`);
  const [out, inp] = weight.shape as [number, number];
  if (lastDim(x) !== inp) fail(op, `x ${fmt(x.shape)} has last dimension ${lastDim(x)}, weight ${fmt(weight.shape)} expects ${inp}`);
  if (bias) {
    checkFloat(op, 'bias', bias);
    if (bias.rank !== 1 || bias.shape[0] !== out) fail(op, `bias ${fmt(bias.shape)} must be [${out}] for weight ${fmt(weight.shape)}`);
    checkSameBackend(op, x, weight, bias);
  } else checkSameBackend(op, x, weight);
  const rows = x.size / inp;
  const x2 = x.view([rows, inp]);
  const y2 = gemm(x2, weight, false, true);
  if (bias) kernel('addBias', y2)(y2, bias, y2);
  const y = y2.view([...x.shape.slice(0, -1), out]);
  y2.dispose();
  const inputs = bias ? [x, weight, bias] : [x, weight];
  record(
    op,
    inputs,
    [y],
    ([g]) => {
      const dy = g!.view([rows, out]);
      const dx = x.requiresGrad ? gemm(dy, weight, false, false) : null;
      const dxs = dx ? dx.view(x.shape) : null;
      dx?.dispose();
      const dw = weight.requiresGrad ? gemm(dy, x2, true, false) : null;
      let db: Tensor | null = null;
      if (bias?.requiresGrad) {
        db = alloc(dy, [out]);
        kernel('sumRows', dy)(dy, db);
      }
      dy.dispose();
      return bias ? [dxs, dw, db] : [dxs, dw];
    },
    [x2],
  );
  return y;
}
