import { BYTES_PER_ELEMENT, type DType, type HostArray } from '../../dtype.js';
import { hostArray, isHostArrayOf } from '../../dtype.js';
import { native } from '../../native.js';
import type { Tensor } from '../../tensor.js';
import { registerBackend, type Backend, type Storage } from '../backend.js';

export interface CpuStorage extends Storage {
  readonly id: number;
}

/** Tensors in native memory (64-byte aligned), computed by the kernels of native/cpu. */
export class CpuBackend implements Backend {
  readonly name = 'cpu';

  alloc(dtype: DType, size: number, zero = true): CpuStorage {
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    return { backend: this, bytes, refs: 1, id: native.alloc(bytes, zero) };
  }

  free(storage: Storage): void {
    native.free((storage as CpuStorage).id);
  }

  upload(storage: Storage, dtype: DType, data: HostArray): void {
    if (!isHostArrayOf(dtype, data)) throw new TypeError(`cpu upload: data is not a ${dtype} array`);
    native.write((storage as CpuStorage).id, data, 0);
  }

  download(storage: Storage, dtype: DType, size: number): HostArray {
    const out = hostArray(dtype, size);
    native.read((storage as CpuStorage).id, out, 0);
    return out;
  }
}

/** The native storage id of a cpu tensor. */
export function sid(t: Tensor): number {
  return (t.storage as CpuStorage).id;
}


export function readScalar(t: Tensor): number {
  const out = new Float32Array(1);
  native.read(sid(t), out, 0);
  return out[0]!;
}

export function writeScalar(t: Tensor, v: number): void {
  native.write(sid(t), new Float32Array([v]), 0);
}

registerBackend(new CpuBackend());
