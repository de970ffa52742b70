import type { DType, HostArray } from '../dtype.js';

/**
 * Memory owned by one backend. Several tensors may share one storage (reshape); `refs`
 * counts them and the backend frees it when the last one is disposed.
 */
export interface Storage {
  readonly backend: Backend;
  readonly bytes: number;
  refs: number;
}

/**
 * A place where tensors live and kernels run. Kernels are not methods: they are registered
 * per (op, backend) in ./registry.ts, so a new backend adds files, not branches.
 */
export interface Backend {
  readonly name: string;
  /** Zero-filled unless `zero` is false (then the contents are unspecified). */
  alloc(dtype: DType, size: number, zero?: boolean): Storage;
  free(storage: Storage): void;
  upload(storage: Storage, dtype: DType, data: HostArray): void;
  download(storage: Storage, dtype: DType, size: number): HostArray;
}

const backends = new Map<string, Backend>();
let current: Backend | null = null;

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

export function getBackend(name?: string): Backend {
  if (name === undefined) {
    if (!current) current = getBackend('cpu');
    return current;
  }
  const b = backends.get(name);
  if (!b) throw new Error(`unknown backend '${name}' (registered: ${[...backends.keys()].join(', ') || 'none'}; importing 'seqcore' registers cpu)`);
  return b;
}

/** Sets the backend new tensors are created on when none is named. */
export function setBackend(name: string): Backend {
  current = getBackend(name);
  return current;
}
