// Importing tensors registers the default backend (cpu, native kernels).
import './backend/cpu/index.js';
import { getBackend, type Backend, type Storage } from './backend/backend.js';
import { BYTES_PER_ELEMENT, hostArray, isHostArrayOf, type DType, type HostArray, type HostArrays } from './dtype.js';
import type { Node } from './autograd.js';

export type Shape = readonly number[];

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new TypeError(`${what} [${shape.join(', ')}] must hold non-negative integers`);
}

// Backstop only: a tensor that is garbage-collected without dispose() still releases its
// storage. Deterministic release is dispose() / tidy().
const finalizer = new FinalizationRegistry<Storage>((s) => release(s));

function release(s: Storage): void {
  if (--s.refs === 0) s.backend.free(s);
}

// Scopes opened by tidy(): every tensor created inside is disposed at the end unless it is
// returned or kept.
const scopes: Set<Tensor>[] = [];

let nextId = 1;

/** The first value of a host array as a number (int64 values arrive as bigint). */
function firstNumber(a: HostArray): number {
  const v = a[0]!;
  return typeof v === 'bigint' ? Number(v) : v;
}

export class Tensor {
  readonly id = nextId++;
  readonly shape: Shape;
  readonly size: number;
  /** True for parameters and anything computed from them while grad mode is on. */
  requiresGrad = false;
  /** Accumulated gradient (leaf tensors only). */
  grad: Tensor | null = null;
  /** The autograd node that produced this tensor, if any. */
  node: Node | null = null;
  name: string | undefined;
  private storageRef: Storage | null;
  private kept = false;

  constructor(
    shape: Shape,
    readonly dtype: DType,
    storage: Storage,
  ) {
    checkShape(shape);
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(shape);
    this.storageRef = storage;
    finalizer.register(this, storage, this);
    scopes[scopes.length - 1]?.add(this);
  }

  /**
   * A new tensor on a backend, zero-filled unless `zero` is false (kernels that write every
   * element of their outputs skip the fill).
   */
  static empty(shape: Shape, dtype: DType = 'float32', backend: Backend = getBackend(), zero = true): Tensor {
    checkShape(shape);
    return new Tensor(shape, dtype, backend.alloc(dtype, shapeSize(shape), zero));
  }

  get storage(): Storage {
    if (!this.storageRef) throw new Error(`${this.describe()} was disposed and cannot be used`);
    return this.storageRef;
  }
  get backend(): Backend {
    return this.storage.backend;
  }
  get rank(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this.storageRef === null;
  }

  describe(): string {
    return `tensor${this.name ? ` '${this.name}'` : ''} #${this.id} [${this.shape.join(', ')}] ${this.dtype}`;
  }

  /** Frees the storage now (once the last tensor sharing it is disposed). Idempotent. */
  dispose(): void {
    if (!this.storageRef) return;
    finalizer.unregister(this);
    const s = this.storageRef;
    this.storageRef = null;
    for (const sc of scopes) sc.delete(this);
    release(s);
  }

  /** Copies the values to the host, as the dtype's array (float16 as raw bits). */
  toArray(): HostArray {
    return this.backend.download(this.storage, this.dtype, this.size);
  }

  /** Copies the values to the host on any backend, once pending work is done (webgpu reads only this way). */
  async data(): Promise<HostArray> {
    const b = this.backend;
    return b.downloadAsync ? b.downloadAsync(this.storage, this.dtype, this.size) : b.download(this.storage, this.dtype, this.size);
  }

  /** item(), on any backend. */
  async scalar(): Promise<number> {
    this.checkOneElement('scalar()');
    return firstNumber(await this.data());
  }

  /** Values of a float32 tensor on the host, on any backend. */
  async float32Data(): Promise<Float32Array> {
    if (this.dtype !== 'float32') throw new TypeError(`float32Data: ${this.describe()} is not float32 (cast it first)`);
    return (await this.data()) as Float32Array;
  }

  item(): number {
    this.checkOneElement('item()');
    return firstNumber(this.toArray());
  }

  private checkOneElement(what: string): void {
    if (this.size !== 1) throw new TypeError(`${what} needs a one-element tensor, got ${this.describe()}`);
  }

  /** A tensor of another shape sharing this one's storage (no copy). Not differentiable by itself: see ops.reshape. */
  view(shape: Shape): Tensor {
    checkShape(shape);
    if (shapeSize(shape) !== this.size) throw new TypeError(`view: cannot view ${this.describe()} as [${shape.join(', ')}] (${shapeSize(shape)} elements)`);
    const s = this.storage;
    s.refs++;
    return new Tensor(shape, this.dtype, s);
  }

  /** Excludes this tensor from every open tidy() scope (parameters, optimizer state). */
  keep(): this {
    this.kept = true;
    for (const sc of scopes) sc.delete(this);
    return this;
  }
  get isKept(): boolean {
    return this.kept;
  }
}

/** Creates a tensor from host data (a typed array of the dtype, or plain numbers). */
export function tensor(data: HostArray | readonly number[], shape?: Shape, opts: { dtype?: DType; backend?: Backend | string } = {}): Tensor {
  const dtype = opts.dtype ?? inferDtype(data);
  const backend = typeof opts.backend === 'string' ? getBackend(opts.backend) : (opts.backend ?? getBackend());
  const s = shape ?? [data.length];
  checkShape(s);
  if (shapeSize(s) !== data.length) throw new TypeError(`tensor: ${data.length} values do not fill shape [${s.join(', ')}] (${shapeSize(s)} elements)`);
  let host: HostArray;
  if (isHostArrayOf(dtype, data)) host = data as HostArray;
  else if (Array.isArray(data)) {
    host = hostArray(dtype, data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (dtype === 'int64') (host as BigInt64Array)[i] = BigInt(Math.trunc(v));
      else (host as Float32Array)[i] = v;
    }
  } else throw new TypeError(`tensor: a ${data.constructor.name} cannot hold dtype ${dtype}`);
  if (dtype === 'float16' && Array.isArray(data)) throw new TypeError('tensor: build float16 tensors by casting a float32 tensor (ops.cast)');
  const t = Tensor.empty(s, dtype, backend);
  backend.upload(t.storage, dtype, host);
  return t;
}

function inferDtype(data: HostArray | readonly number[]): DType {
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint16Array) return 'float16';
  if (data instanceof Uint8Array) return 'uint8';
  return 'float32';
}

export function zeros(shape: Shape, dtype: DType = 'float32', backend?: Backend | string): Tensor {
  return Tensor.empty(shape, dtype, typeof backend === 'string' ? getBackend(backend) : backend);
}

/**
 * Runs fn and disposes every tensor created inside it, except those it returns (a tensor,
 * or an array or object of tensors) and those kept. Nested scopes pass returned tensors on
 * to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope = open();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    close(scope, undefined);
    throw e;
  }
  return close(scope, result);
}

/**
 * tidy() around an async function, for steps that read a value mid-graph (webgpu reads only
 * asynchronously). Tensors created by anything else while it awaits join its scope, so run
 * one at a time (a training loop's step).
 */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const scope = open();
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    close(scope, undefined);
    throw e;
  }
  return close(scope, result);
}

function open(): Set<Tensor> {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  return scope;
}

/** Ends the innermost scope: disposes its tensors except those in result, which move to the parent scope. */
function close<T>(scope: Set<Tensor>, result: T): T {
  if (scopes[scopes.length - 1] !== scope) throw new Error('tidy: scopes closed out of order (a tidyAsync overlapped another scope)');
  scopes.pop();
  const out = new Set<Tensor>();
  collectTensors(result, out);
  for (const t of scope) if (!out.has(t)) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of out) if (scope.has(t)) parent.add(t);
  return result;
}

function collectTensors(v: unknown, out: Set<Tensor>): void {
  if (v instanceof Tensor) out.add(v);
  else if (Array.isArray(v)) for (const x of v) collectTensors(x, out);
  else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collectTensors(x, out);
}

export type { DType, HostArray, HostArrays };
export { BYTES_PER_ELEMENT };
