// The CUDA addon (build/Release/seqcore_cuda.node, built when CMake finds nvcc): loaded only
// when the cuda backend or `seqcore doctor` asks for it, so a machine without it never reads it.
import { createRequire } from 'node:module';
import { findAddonFile } from '../../addon_path.js';
import type { NativeKernels } from '../../native.js';

export interface CudaDevice {
  name: string;
  /** Compute capability. */
  major: number;
  minor: number;
  totalBytes: number;
  multiprocessors: number;
}

/** Where cuBLASLt was loaded from, or why not (every place looked). */
export interface CublasInfo {
  path: string | null;
  version: number | null;
  searched: string[];
  error: string | null;
}

/** What the CUDA addon adds to the kernel entry points the cpu addon also has. */
export interface CudaAddon extends NativeKernels {
  /** Driver and runtime versions (1000·major + 10·minor) and the visible devices; no device is not an error here. */
  deviceInfo(): { driverVersion: number; runtimeVersion: number; devices: CudaDevice[]; error: string | null };
  /** Loads cuBLASLt (once) and says from where. */
  cublasInfo(): CublasInfo;
  /** Selects the device and creates the stream, allocator and cuBLASLt handle; throws naming what failed (no driver, no GPU, no cuBLASLt). */
  init(device: number): void;
  /**
   * Which GRU recurrence runs for B sequences of T steps at most, total packed rows, hidden H:
   * 'persistent' or 'per-step (why)' (after init; SEQCORE_GRU forces one).
   */
  gruAlgorithm(B: number, T: number, total: number, H: number): string;
  /** An event recorded on the compute stream now (its id), for kernel timing. */
  timerMark(): number;
  /** Milliseconds of GPU time between two marks; waits for the second, then frees both. */
  timerElapsed(a: number, b: number): number;
  alloc(bytes: number, zero: boolean): number;
  free(id: number): boolean;
  /** Host → device, queued on the compute stream (the data is staged, so it may be reused at once). */
  write(id: number, data: ArrayBufferView, byteOffset: number): void;
  /** Device → host after all queued work; raises a recorded device fault first. */
  read(id: number, out: ArrayBufferView, byteOffset: number): void;
  /** The same, through pinned memory, without blocking the event loop. */
  readAsync(id: number, out: ArrayBufferView, byteOffset: number): Promise<void>;
  copy(src: number, dst: number, bytes: number): void;
  /** Waits for queued work; raises a recorded device fault. */
  synchronize(): void;
  stats(): { liveBytes: number; liveCount: number; cachedBytes: number; cacheLimit: number; scratchBytes: number };
  emptyCache(): void;
  /** What the GEMMs' tensor cores may round fp32 inputs to: nothing ('fp32', exact), TF32 or bfloat16. */
  setPrecision(p: 'fp32' | 'tf32' | 'bf16'): void;
}

let loaded: { addon: CudaAddon } | { error: string } | null = null;

/** The CUDA addon, or why it is not there (never throws). */
export function loadCudaAddon(): { addon: CudaAddon } | { error: string } {
  if (loaded) return loaded;
  const found = findAddonFile('seqcore_cuda.node', 'SEQCORE_CUDA_ADDON', '-cuda');
  if ('error' in found) loaded = { error: `the CUDA addon: ${found.error}` };
  else {
    try {
      loaded = { addon: createRequire(import.meta.url)(found.path) as CudaAddon };
    } catch (e) {
      loaded = { error: `the CUDA addon ${found.path} cannot load: ${(e as Error).message}` };
    }
  }
  return loaded;
}
