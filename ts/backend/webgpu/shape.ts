import type { DType } from '../../dtype.js';
import { rowsCols } from '../backend.js';
import { registerKernels } from '../registry.js';
import { gpu } from './backend.js';

// Entry points of kernels/cast.wgsl, and the invocations each needs for n elements (kept
// literal, `as const`, so that test/webgpu_uniforms.test.ts sees which entry points are used).
const CASTS = {
  'float32>float16': ['f32_to_f16', (n) => Math.ceil(n / 2)],
  'float16>float32': ['f16_to_f32', (n) => n],
  'int32>float32': ['i32_to_f32', (n) => n],
  'int64>int32': ['i64_to_i32', (n) => n],
  'int32>int64': ['i32_to_i64', (n) => n],
} as const satisfies Partial<Record<`${DType}>${DType}`, readonly [string, (n: number) => number]>>;
type Cast = (typeof CASTS)[keyof typeof CASTS];

registerKernels('webgpu', {
  concat(parts, out) {
    const [rows, W] = rowsCols(out);
    let off = 0;
    for (const p of parts) {
      const d = rowsCols(p)[1];
      gpu(out).dispatch1d('concat', 'concat_part', [p, out], { n: rows, d, w: W, off }, rows * d);
      off += d;
    }
  },
  split(x, parts) {
    const [rows, W] = rowsCols(x);
    let off = 0;
    for (const p of parts) {
      const d = rowsCols(p)[1];
      gpu(x).dispatch1d('concat', 'split_part', [x, p], { n: rows, d, w: W, off }, rows * d);
      off += d;
    }
  },
  cast(x, y) {
    const c: Cast | undefined = (CASTS as Partial<Record<string, Cast>>)[`${x.dtype}>${y.dtype}`];
    if (!c) throw new TypeError(`cast: no conversion from ${x.dtype} to ${y.dtype}`);
    const b = gpu(y);
    b.dispatch1d('cast', c[0], x.dtype === 'int64' && y.dtype === 'int32' ? [x, b.faults, y] : [x, y], { n: x.size }, c[1](x.size));
  },
  copy: (src, dst) => gpu(dst).copyBuffer(src.storage, dst.storage, dst.storage.bytes),
});
