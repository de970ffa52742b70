import type { DType, HostArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';

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
  /** Copies to the host now; backends that can only read asynchronously (webgpu) throw. */
  download(storage: Storage, dtype: DType, size: number): HostArray;
  /** Copies to the host once pending work is done (default: download). */
  downloadAsync?(storage: Storage, dtype: DType, size: number): Promise<HostArray>;
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

// Starting a backend by name (`--backend NAME`): each backend registers its starter in its
// own files (cpu needs none beyond importing it; webgpu starts Dawn), so that a new backend
// reaches every command without a list of names here or in the commands.
const starters = new Map<string, () => Promise<unknown>>();

export function registerStarter(name: string, start: () => Promise<unknown>): void {
  starters.set(name, start);
}

/** The names a command line may pass to --backend. */
export function backendNames(): string[] {
  return [...starters.keys()];
}

/** Starts backend `name` (once: a starter returns its started backend on later calls). */
export async function startBackend(name: string): Promise<Backend> {
  const start = starters.get(name);
  if (!start)
    throw new Error(`--backend: unknown backend '${name}' (expected one of ${backendNames().join(', ') || "none; importing 'seqcore' registers them"})`);
  await start();
  return getBackend(name);
}

/** Sets the backend new tensors are created on when none is named. */
export function setBackend(name: string): Backend {
  current = getBackend(name);
  return current;
}

/** Rows × last dimension of a tensor seen as 2-D (kernels work on that view). */
export function rowsCols(t: Tensor): [rows: number, D: number] {
  const D = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!;
  return [D === 0 ? 0 : t.size / D, D];
}
