import { record } from '../autograd.js';
import { kernel } from '../backend/registry.js';
import type { Tensor } from '../tensor.js';
import { alloc, checkFloat, checkSameBackend, fail, fmt, lastDim } from './check.js';

/** Concatenates along the last axis; all leading axes must match. */
export function concat(parts: readonly Tensor[]): Tensor {
  if (parts.length === 0) fail('concat', 'needs at least one tensor');
  parts.forEach((p, i) => checkFloat('concat', `part ${i}`, p));
  checkSameBackend('concat', ...parts);
  const lead = parts[0]!.shape.slice(0, -1);
  parts.forEach((p, i) => {
    if (p.rank !== lead.length + 1 || p.shape.slice(0, -1).some((d, j) => d !== lead[j]))
      fail('concat', `part ${i} ${fmt(p.shape)} does not match part 0 ${fmt(parts[0]!.shape)} on the leading axes`);
  });
  const widths = parts.map(lastDim);
  const out = alloc(parts[0]!, [...lead, widths.reduce((a, b) => a + b, 0)]);
  kernel('concat', out)(parts, out);
  record('concat', parts, [out], ([g]) => {
    const grads = parts.map((p) => alloc(g!, p.shape));
    kernel('split', g!)(g!, grads);
    return grads;
  });
  return out;
}

/** Splits the last axis into pieces of the given widths (inverse of concat). */
export function split(x: Tensor, widths: readonly number[]): Tensor[] {
  checkFloat('split', 'x', x);
  const total = widths.reduce((a, b) => a + b, 0);
  if (x.rank < 1 || total !== lastDim(x) || widths.some((w) => !Number.isInteger(w) || w < 0))
    fail('split', `widths [${widths.join(', ')}] must be non-negative integers summing to the last dimension of x ${fmt(x.shape)}`);
  const lead = x.shape.slice(0, -1);
  const parts = widths.map((w) => alloc(x, [...lead, w]));
  kernel('split', x)(x, parts);
  record('split', [x], parts, (gs) => {
    const filled = gs.map((g, i) => g ?? alloc(x, parts[i]!.shape));
    const dx = alloc(x, x.shape);
    kernel('concat', dx)(filled, dx);
    gs.forEach((g, i) => {
      if (!g) filled[i]!.dispose();
    });
    return [dx];
  });
  return parts;
}
