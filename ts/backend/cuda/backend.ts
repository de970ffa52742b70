// The cuda backend: tensors in device memory of the CUDA addon (seqcore_cuda.node), kernels
// from native/cuda through the same bindings as the cpu addon's (ts/backend/native). Work is
// queued on one stream; reads wait for it (download) or not (downloadAsync), and raise a device
// fault a kernel recorded since the last read (an id out of range), naming the op.
import { BYTES_PER_ELEMENT, hostArray, isHostArrayOf, type DType, type HostArray } from '../../dtype.js';
import { registerBackend, type Backend, type Storage } from '../backend.js';
import { registerNativeKernels } from '../native/index.js';
import type { NativeStorage } from '../native/storage.js';
import type { CudaAddon } from './addon.js';
import type { KernelTimer, Profiler } from '../../profile.js';

export class CudaBackend implements Backend, KernelTimer {
  readonly name = 'cuda';
  readonly timingSource = 'cuda events';
  constructor(readonly addon: CudaAddon) {}

  alloc(dtype: DType, size: number, zero = true): NativeStorage {
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    return { backend: this, bytes, refs: 1, id: this.addon.alloc(bytes, zero) };
  }

  free(storage: Storage): void {
    this.addon.free((storage as NativeStorage).id);
  }

  upload(storage: Storage, dtype: DType, data: HostArray): void {
    if (!isHostArrayOf(dtype, data)) throw new TypeError(`cuda upload: data is not a ${dtype} array`);
    this.addon.write((storage as NativeStorage).id, data, 0);
  }

  download(storage: Storage, dtype: DType, size: number): HostArray {
    const out = hostArray(dtype, size);
    this.addon.read((storage as NativeStorage).id, out, 0);
    return out;
  }

  /**
   * Times a kernel by events recorded on the stream around it: exact GPU time. The time is read
   * when the event loop next turns (a training step's yield), which waits for that kernel, so a
   * profiled run overlaps host and GPU less than an unprofiled one.
   */
  timeKernel(op: string, run: () => void, profile: Profiler): void {
    const start = performance.now() - profile.t0;
    const a = this.addon.timerMark();
    run();
    const b = this.addon.timerMark();
    profile.later(
      new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          try {
            profile.add({ op, backend: this.name, start, dur: this.addon.timerElapsed(a, b) });
            resolve();
          } catch (e) {
            reject(e);
          }
        }),
      ),
    );
  }

  async downloadAsync(storage: Storage, dtype: DType, size: number): Promise<HostArray> {
    const out = hostArray(dtype, size);
    await this.addon.readAsync((storage as NativeStorage).id, out, 0);
    return out;
  }
}

export type CudaPrecision = 'fp32' | 'tf32' | 'bf16';

/**
 * Starts the backend on `device` (SEQCORE_CUDA_DEVICE, else 0) with GEMM precision `precision`
 * (SEQCORE_CUDA_PRECISION, else exact fp32); throws naming what is missing.
 */
export function startCuda(
  addon: CudaAddon,
  device = Number(process.env.SEQCORE_CUDA_DEVICE ?? 0),
  precision = (process.env.SEQCORE_CUDA_PRECISION ?? 'fp32') as CudaPrecision,
): CudaBackend {
  if (!Number.isInteger(device) || device < 0) throw new Error(`SEQCORE_CUDA_DEVICE must be a device number, got '${process.env.SEQCORE_CUDA_DEVICE}'`);
  if (!['fp32', 'tf32', 'bf16'].includes(precision)) throw new Error(`SEQCORE_CUDA_PRECISION must be fp32, tf32 or bf16, got '${precision}'`);
  addon.init(device);
  addon.setPrecision(precision);
  const backend = new CudaBackend(addon);
  registerBackend(backend);
  registerNativeKernels('cuda', addon);
  return backend;
}
