import type { DType } from '../../dtype.js';
import { registerKernels } from '../registry.js';
import { rowsCols } from '../backend.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

const CASTS: Partial<Record<`${DType}>${DType}`, string>> = {
  'float32>float16': 'f32>f16',
  'float16>float32': 'f16>f32',
  'int32>float32': 'i32>f32',
  'int64>int32': 'i64>i32',
  'int32>int64': 'i32>i64',
};

export function registerShape(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    concat(parts, out) {
      const [rows] = rowsCols(out);
      native.concat(
        parts.map(sid),
        parts.map((p) => rowsCols(p)[1]),
        sid(out),
        rows,
      );
    },
    split(x, parts) {
      const [rows] = rowsCols(x);
      native.split(
        sid(x),
        parts.map(sid),
        parts.map((p) => rowsCols(p)[1]),
        rows,
      );
    },
    cast(x, y) {
      const kind = CASTS[`${x.dtype}>${y.dtype}`];
      if (!kind) throw new TypeError(`cast: no conversion from ${x.dtype} to ${y.dtype}`);
      native.cast(kind, sid(x), sid(y), x.size);
    },
    copy: (src, dst) => native.copy(sid(src), sid(dst), dst.storage.bytes),
  });
}
