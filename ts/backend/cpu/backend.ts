import { BYTES_PER_ELEMENT, type DType, type HostArray } from '../../dtype.js';
import { hostArray, isHostArrayOf } from '../../dtype.js';
import { totalmem } from 'node:os';
import { native } from '../../native.js';
import { registerBackend, registerStarter, type Backend, type Storage } from '../backend.js';
import type { NativeStorage } from '../native/storage.js';

// Native memory is overcommitted: an allocation beyond the machine's memory succeeds, and the
// kernel's OOM killer ends the process without a message once its pages are touched (seen:
// `rec train --negatives 1000000`). Large tensors that would take live tensor memory past a
// limit are refused with an error instead; small ones skip the check (it costs a native call).
const CHECKED_BYTES = 2 ** 26;
const GIB = 2 ** 30;

/**
 * SEQCORE_MEMORY_LIMIT_GB, else 90 % of this machine's memory, or of the container's when a
 * cgroup limits it (totalmem() is the host's there, and the OOM killer acts at the cgroup's).
 */
export function memoryLimitBytes(): number {
  const env = process.env.SEQCORE_MEMORY_LIMIT_GB;
  if (env === undefined || env === '') {
    const cgroup = process.constrainedMemory?.() || Infinity; // 0 or ~2^64 when unlimited
    return 0.9 * Math.min(totalmem(), cgroup);
  }
  const gb = Number(env);
  if (!(gb > 0)) throw new Error(`SEQCORE_MEMORY_LIMIT_GB must be a positive number of GiB, got '${env}'`);
  return gb * GIB;
}

function checkMemory(dtype: DType, size: number, bytes: number): void {
  const live = native.stats().liveBytes,
    limit = memoryLimitBytes();
  if (live + bytes <= limit) return;
  const gib = (b: number): string => `${(b / GIB).toFixed(2)} GiB`;
  throw new RangeError(
    `cpu: a ${dtype} tensor of ${size} elements needs ${gib(bytes)}; with ${gib(live)} of tensors live that is over the memory limit of ${gib(limit)} ` +
      "(90 % of this machine's or container's memory, or SEQCORE_MEMORY_LIMIT_GB): reduce the batch, sequence length, width or negatives",
  );
}

/** Tensors in native memory (64-byte aligned), computed by the kernels of native/cpu. */
export class CpuBackend implements Backend {
  readonly name = 'cpu';

  alloc(dtype: DType, size: number, zero = true): NativeStorage {
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    if (bytes >= CHECKED_BYTES) checkMemory(dtype, size, bytes);
    return { backend: this, bytes, refs: 1, id: native.alloc(bytes, zero) };
  }

  free(storage: Storage): void {
    native.free((storage as NativeStorage).id);
  }

  upload(storage: Storage, dtype: DType, data: HostArray): void {
    if (!isHostArrayOf(dtype, data)) throw new TypeError(`cpu upload: data is not a ${dtype} array`);
    native.write((storage as NativeStorage).id, data, 0);
  }

  download(storage: Storage, dtype: DType, size: number): HostArray {
    const out = hostArray(dtype, size);
    native.read((storage as NativeStorage).id, out, 0);
    return out;
  }
}

registerBackend(new CpuBackend());
registerStarter('cpu', async () => {});
