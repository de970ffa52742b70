/** Element types. Compute is float32; float16, int32, int64 (and uint8 masks) are storage. */
export type DType = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8';

/** Host-side arrays, one per dtype. float16 is raw IEEE half bits (as numpy's view). */
export interface HostArrays {
  float32: Float32Array;
  float16: Uint16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
}
export type HostArray = HostArrays[DType];

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
};

export function hostArray<D extends DType>(dtype: D, size: number): HostArrays[D] {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size) as HostArrays[D];
    case 'float16':
      return new Uint16Array(size) as HostArrays[D];
    case 'int32':
      return new Int32Array(size) as HostArrays[D];
    case 'int64':
      return new BigInt64Array(size) as HostArrays[D];
    case 'uint8':
      return new Uint8Array(size) as HostArrays[D];
  }
  throw new TypeError(`unknown dtype '${String(dtype)}'`);
}

export function isHostArrayOf(dtype: DType, data: unknown): boolean {
  switch (dtype) {
    case 'float32':
      return data instanceof Float32Array;
    case 'float16':
      return data instanceof Uint16Array;
    case 'int32':
      return data instanceof Int32Array;
    case 'int64':
      return data instanceof BigInt64Array;
    case 'uint8':
      return data instanceof Uint8Array;
  }
}
