// The 'reference' backend: plain TypeScript, float64 everywhere. Ground truth for tests only.
// Every dtype but int64 is held as a Float64Array of values (float16 decoded on upload and
// encoded on download); int64 is held as a BigInt64Array.
import { registerBackend, type Backend, type Storage } from '../backend.js';
import { BYTES_PER_ELEMENT, isHostArrayOf, type DType, type HostArray } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { f16ToF32, f32ToF16 } from '../../f16.js';

export type RefArray = Float64Array | BigInt64Array;

export class RefStorage implements Storage {
  refs = 1;
  readonly bytes: number;
  private held: RefArray | null;

  constructor(
    readonly backend: ReferenceBackend,
    readonly dtype: DType,
    readonly size: number,
  ) {
    this.bytes = size * BYTES_PER_ELEMENT[dtype];
    this.held = dtype === 'int64' ? new BigInt64Array(size) : new Float64Array(size);
  }

  get freed(): boolean {
    return this.held === null;
  }

  get data(): RefArray {
    if (!this.held) throw new Error(`reference storage (${this.dtype}, ${this.size} elements) was freed and cannot be used`);
    return this.held;
  }

  /** Drops the data; later access throws. */
  drop(): void {
    this.held = null;
  }
}

export class ReferenceBackend implements Backend {
  readonly name = 'reference';

  alloc(dtype: DType, size: number): RefStorage {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`reference alloc: bad size ${size}`);
    if (!(dtype in BYTES_PER_ELEMENT)) throw new TypeError(`reference alloc: unknown dtype '${String(dtype)}'`);
    return new RefStorage(this, dtype, size);
  }

  free(storage: Storage): void {
    const s = this.own(storage, 'free');
    if (s.freed) throw new Error(`reference free: storage (${s.dtype}, ${s.size} elements) was already freed`);
    s.drop();
  }

  upload(storage: Storage, dtype: DType, data: HostArray): void {
    const s = this.own(storage, 'upload');
    this.checkDtype(s, dtype, 'upload');
    if (!isHostArrayOf(dtype, data)) throw new TypeError(`reference upload: a ${data.constructor.name} cannot hold dtype ${dtype}`);
    const dst = s.data;
    if (data.length > dst.length) throw new RangeError(`reference upload: ${data.length} values do not fit ${dst.length} elements`);
    if (dst instanceof BigInt64Array) {
      dst.set(data as BigInt64Array);
    } else if (dtype === 'float16') {
      const h = data as Uint16Array;
      for (let i = 0; i < h.length; i++) dst[i] = f16ToF32(h[i]!);
    } else {
      dst.set(data as Float32Array | Int32Array | Uint8Array);
    }
  }

  download(storage: Storage, dtype: DType, size: number): HostArray {
    const s = this.own(storage, 'download');
    this.checkDtype(s, dtype, 'download');
    const src = s.data;
    if (!Number.isInteger(size) || size < 0 || size > src.length) throw new RangeError(`reference download: ${size} elements requested from ${src.length}`);
    if (src instanceof BigInt64Array) return src.slice(0, size);
    const v = src.subarray(0, size);
    switch (dtype) {
      case 'float32':
        return Float32Array.from(v);
      case 'int32':
        return Int32Array.from(v);
      case 'uint8':
        return Uint8Array.from(v);
      case 'float16': {
        const out = new Uint16Array(size);
        for (let i = 0; i < size; i++) out[i] = f32ToF16(v[i]!);
        return out;
      }
      case 'int64':
        break;
    }
    throw new TypeError(`reference download: unknown dtype '${String(dtype)}'`);
  }

  private own(storage: Storage, what: string): RefStorage {
    if (!(storage instanceof RefStorage) || storage.backend !== this)
      throw new TypeError(`reference ${what}: storage belongs to backend '${storage.backend.name}'`);
    return storage;
  }

  private checkDtype(s: RefStorage, dtype: DType, what: string): void {
    if (dtype !== s.dtype) throw new TypeError(`reference ${what}: storage holds ${s.dtype}, not ${dtype}`);
  }
}

/** The reference storage of t (throws if t lives on another backend or was freed). */
function refStorage(t: Tensor): RefStorage {
  const s = t.storage;
  if (!(s instanceof RefStorage)) throw new TypeError(`${t.describe()} lives on backend '${s.backend.name}', not 'reference'`);
  if (s.freed) throw new Error(`${t.describe()}: its reference storage was freed and cannot be used`);
  return s;
}

/** The values of a non-int64 tensor on the reference backend (live view, not a copy). */
export function refData(t: Tensor): Float64Array {
  const d = refStorage(t).data;
  if (d instanceof BigInt64Array) throw new TypeError(`${t.describe()} is int64: use refData64`);
  return d;
}

/** The values of an int64 tensor on the reference backend (live view, not a copy). */
export function refData64(t: Tensor): BigInt64Array {
  const d = refStorage(t).data;
  if (!(d instanceof BigInt64Array)) throw new TypeError(`${t.describe()} is not int64: use refData`);
  return d;
}

/** Either representation (for dtype-generic kernels: copy, concat, split). */
export function refAny(t: Tensor): RefArray {
  return refStorage(t).data;
}

/** Index values of an int32 (or int64) tensor, as numbers. */
export function refIndices(t: Tensor): Float64Array {
  const d = refStorage(t).data;
  if (d instanceof BigInt64Array) return Float64Array.from(d, (v) => Number(v));
  return d;
}

export const referenceBackend = new ReferenceBackend();
registerBackend(referenceBackend);
