// The WebGPU backend (Dawn through the npm package `webgpu`): tensors in pooled GPU buffers,
// kernels from kernels/*.wgsl recorded into one command encoder that is submitted only when
// the host needs a result (a read, an upload) or the uniform ring is full.
//
// Ordering rules this file keeps (the WebGPU queue runs writeBuffer before any command
// buffer submitted after it, whatever the recording order):
//   - upload() submits the pending commands first, so they see the old contents;
//   - every dispatch's parameters get their own 256-byte slot of a uniform ring, written
//     with one writeBuffer just before the submit that uses them.
//   - a dispatch's bind group (its uniform slot and buffers) is made once and reused while
//     the same kernel binds the same buffers at the same slot again: a training step records
//     the same dispatches in the same order every time, and Dawn took 26–35 µs to make one
//     here (bench/RESULTS.md), more than a small kernel runs on a GPU.
// Reads are asynchronous only (tensor.data()); download() throws with that advice.
// Kernels cannot throw: one that meets bad input (an embedding id out of range, an int64 that
// does not fit int32) records a fault in a small buffer, and the next read raises it.
import { BYTES_PER_ELEMENT, hostArray, isHostArrayOf, type DType, type HostArray } from '../../dtype.js';
import { Tensor } from '../../tensor.js';
import { registerBackend, type Backend, type Storage } from '../backend.js';
import type { KernelTimer, Profiler } from '../../profile.js';
import { shaderSource } from './shaders.js';
import { packUniforms, uniformLayout, type Uniforms } from './uniforms.js';

export interface GpuStorage extends Storage {
  readonly buffer: GPUBuffer;
  /**
   * A host copy of small int32 uploads (ids), for kernels that plan on the host
   * (embeddingScatterAdd); dropped as soon as a kernel writes the storage.
   */
  host?: Int32Array;
}

/** Largest int32 upload whose host copy is kept (GpuStorage.host). */
const HOST_COPY = 1 << 20;

const SLOT = 256; // minUniformBufferOffsetAlignment
const SLOTS = 256;
/** Invocations per workgroup of every 1-D kernel (the compatibility-mode limit is 128). */
export const WORKGROUP = 128;
const MAX_GROUPS = 65535;
/** Timestamp queries per command encoder while profiling (two per compute pass). */
const QUERIES = 4096;
/** Bind groups kept for reuse (the least recently used goes first). */
const BIND_GROUPS = 8192;

/**
 * GPU buffers of one usage by power-of-two size class from 256 bytes: at most 2× waste, and
 * buffers are reused instead of created (creating a buffer costs far more than a kernel).
 * A buffer is never destroyed before the backend: the bind groups that dispatch() keeps for
 * reuse refer to buffers by identity (trimming the pool would have to drop theirs first).
 */
class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
  ) {}

  take(bytes: number): GPUBuffer {
    const cls = Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
    return this.free.get(cls)?.pop() ?? this.device.createBuffer({ size: cls, usage: this.usage });
  }

  give(buffer: GPUBuffer): void {
    const list = this.free.get(buffer.size) ?? [];
    list.push(buffer);
    this.free.set(buffer.size, list);
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}

export class WebGpuBackend implements Backend, KernelTimer {
  readonly name = 'webgpu';
  private readonly pool: BufferPool;
  /** Mappable read-back buffers. */
  private readonly staging: BufferPool;
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly uniformHost = new ArrayBuffer(SLOT * SLOTS);
  private readonly uniformBuffer: GPUBuffer;
  private slots = 0;
  /** [code, position, value, 0] of the first fault since the last read (kernels/embedding.wgsl). */
  readonly faults: GPUBuffer;
  // Profiling (timeKernel): the op whose passes are being timed, and the timestamp queries
  // of the current encoder, resolved and read back at flush().
  private timing: { op: string; profile: Profiler } | null = null;
  private querySet: GPUQuerySet | null = null;
  private resolveBuffer: GPUBuffer | null = null;
  private readonly queryOps: { op: string; profile: Profiler; host: number }[] = [];
  private gpuZero: { gpu: bigint; host: number } | null = null;
  private error: string | null = null;
  /** Bind groups by pipeline, uniform slot, buffers and sizes; a Map iterates oldest first. */
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private buffersSeen = 0;
  /** Bind groups made and reused since the backend started (tests, benchmarks). */
  readonly bindGroupCount = { made: 0, reused: 0 };
  /** Off: every dispatch makes its bind group, as before the reuse (`npm run bench -- dispatch` measures the difference). */
  reuseBindGroups = true;

  /** `gpu` is held only to keep Dawn's instance alive as long as the device (see device.ts). */
  constructor(
    readonly gpu: GPU,
    readonly device: GPUDevice,
    readonly description: string,
  ) {
    this.uniformBuffer = device.createBuffer({ size: SLOT * SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.faults = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    this.pool = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.staging = new BufferPool(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  }

  alloc(dtype: DType, size: number, zero = true): GpuStorage {
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    const buffer = this.pool.take(bytes);
    if (zero) this.commands().clearBuffer(buffer);
    return { backend: this, bytes, refs: 1, buffer };
  }

  free(storage: Storage): void {
    this.pool.give((storage as GpuStorage).buffer);
  }

  upload(storage: Storage, dtype: DType, data: HostArray): void {
    if (!isHostArrayOf(dtype, data)) throw new TypeError(`webgpu upload: data is not a ${dtype} array`);
    this.flush();
    const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    // writeBuffer takes multiples of 4 bytes (float16 and uint8 tensors may be shorter).
    const padded = bytes.byteLength % 4 ? Uint8Array.from({ length: Math.ceil(bytes.byteLength / 4) * 4 }, (_, i) => bytes[i] ?? 0) : bytes;
    this.device.queue.writeBuffer((storage as GpuStorage).buffer, 0, padded);
    (storage as GpuStorage).host = dtype === 'int32' && data.length <= HOST_COPY ? Int32Array.from(data as Int32Array) : undefined;
  }

  download(): HostArray {
    throw new Error("webgpu tensors are read asynchronously: use 'await tensor.data()' (or tensor.scalar()) instead of toArray()/item()");
  }

  async downloadAsync(storage: Storage, dtype: DType, size: number): Promise<HostArray> {
    const out = hostArray(dtype, size);
    const bytes = Math.ceil(out.byteLength / 4) * 4;
    // The fault words travel behind the data in the same staging buffer.
    const staging = this.staging.take(bytes + 16);
    const enc = this.commands();
    if (bytes) enc.copyBufferToBuffer((storage as GpuStorage).buffer, 0, staging, 0, bytes);
    enc.copyBufferToBuffer(this.faults, 0, staging, bytes, 16);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ);
    const mapped = staging.getMappedRange();
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(mapped, 0, out.byteLength));
    const [code, position, value] = new Uint32Array(mapped, bytes, 4);
    staging.unmap();
    this.staging.give(staging);
    if (this.error !== null) {
      const message = this.error;
      this.error = null;
      throw new Error(`webgpu: ${message} (raised at this read; the error happened earlier)`);
    }
    if (code) {
      this.device.queue.writeBuffer(this.faults, 0, new Uint32Array(4));
      throw new Error(faultMessage(code, position!, value!));
    }
    return out;
  }

  /** Keeps the first validation error the device reports, for the next read to raise. */
  deviceError(message: string): void {
    this.error ??= message;
  }

  /** Records a buffer copy of `bytes` (rounded up to whole words, within the pooled buffers). */
  copyBuffer(src: Storage, dst: Storage, bytes: number): void {
    const n = Math.ceil(bytes / 4) * 4;
    if (n) this.commands().copyBufferToBuffer((src as GpuStorage).buffer, 0, (dst as GpuStorage).buffer, 0, n);
    (dst as GpuStorage).host = (src as GpuStorage).host;
  }

  /** The pending encoder, outside any compute pass (for copies and clears). */
  private commands(): GPUCommandEncoder {
    this.endPass();
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    const timed = this.queryOps.splice(0);
    let staging: GPUBuffer | null = null;
    if (timed.length) {
      staging = this.staging.take(timed.length * 16);
      this.encoder.resolveQuerySet(this.querySet!, 0, timed.length * 2, this.resolveBuffer!, 0);
      this.encoder.copyBufferToBuffer(this.resolveBuffer!, 0, staging, 0, timed.length * 16);
    }
    if (this.slots) this.device.queue.writeBuffer(this.uniformBuffer, 0, new Uint8Array(this.uniformHost, 0, this.slots * SLOT));
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.slots = 0;
    if (staging) timed[0]!.profile.later(this.readTimestamps(staging, timed));
  }

  get timingSource(): string {
    return this.device.features.has('timestamp-query')
      ? 'GPU timestamp queries'
      : "host clock around record and submit, each kernel submitted alone (no timestamp queries; Dawn's OpenGL ES backend executes at submit)";
  }

  /**
   * Profiler hook: times the kernel call `run`. With timestamp queries every compute pass
   * begun during the call writes its start and end. Otherwise the call is submitted alone
   * and timed on the host clock: the GPU time itself where submit executes the work (Dawn's
   * OpenGL ES backend does, on llvmpipe: measured 0.5 s in submit, 0.4 ms in the wait after,
   * for a 512³ GEMM), only the cost of recording and submitting elsewhere.
   */
  timeKernel(op: string, run: () => void, profile: Profiler): void {
    if (!this.device.features.has('timestamp-query')) {
      const start = performance.now();
      run();
      this.flush();
      profile.add({ op, backend: this.name, start: start - profile.t0, dur: performance.now() - start });
      return;
    }
    this.querySet ??= this.device.createQuerySet({ type: 'timestamp', count: QUERIES });
    this.resolveBuffer ??= this.device.createBuffer({ size: QUERIES * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.endPass(); // the kernel starts a pass of its own
    this.timing = { op, profile };
    try {
      run();
    } finally {
      this.endPass();
      this.timing = null;
    }
  }

  /** A new compute pass; timed (two queries) while a kernel is being profiled. */
  private beginPass(encoder: GPUCommandEncoder): GPUComputePassEncoder {
    if (!this.timing) return encoder.beginComputePass();
    const q = 2 * this.queryOps.length;
    this.queryOps.push({ ...this.timing, host: performance.now() });
    return encoder.beginComputePass({ timestampWrites: { querySet: this.querySet!, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 } });
  }

  /** Timestamps (ns, the GPU's clock) → events on the host's clock, aligned at the first pass ever timed. */
  private async readTimestamps(staging: GPUBuffer, timed: { op: string; profile: Profiler; host: number }[]): Promise<void> {
    await staging.mapAsync(GPUMapMode.READ);
    const ts = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    this.staging.give(staging);
    timed.forEach(({ op, profile, host }, i) => {
      const begin = ts[2 * i]!,
        end = ts[2 * i + 1]!;
      this.gpuZero ??= { gpu: begin, host };
      const start = this.gpuZero.host + Number(begin - this.gpuZero.gpu) / 1e6;
      profile.add({ op, backend: this.name, start: start - profile.t0, dur: Number(end - begin) / 1e6 });
    });
  }

  /** Waits until the GPU has finished everything submitted (timing, teardown). */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  private pipeline(key: string, file: string, entry: string, constants?: Record<string, number>): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      let module = this.modules.get(file);
      if (!module) this.modules.set(file, (module = this.device.createShaderModule({ label: file, code: shaderSource(file) })));
      p = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint: entry, ...(constants ? { constants } : {}) } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * Records one dispatch of `entry` in kernels/`file`.wgsl: binding 0 is the uniform struct,
   * whose fields `params` names (uniforms.ts checks them against the WGSL), bindings 1… the
   * tensors (or raw buffers, e.g. `faults`) in order; the last one is written and may not
   * also be an input; `groups` workgroups (x, y); `constants` sets the shader's override
   * constants (one pipeline per set).
   */
  dispatch(
    file: string,
    entry: string,
    tensors: readonly (Tensor | GPUBuffer)[],
    params: Uniforms,
    groups: readonly [number, number?],
    constants?: Record<string, number>,
  ): void {
    if (this.slots === SLOTS || (this.timing && !this.pass && 2 * this.queryOps.length === QUERIES)) this.flush();
    const slot = this.slots,
      uniforms = uniformLayout(file, entry);
    // Checked even when there is nothing to run, so that a wrong field fails at every size.
    packUniforms(uniforms, params, new DataView(this.uniformHost, slot * SLOT, SLOT));
    if (groups[0] === 0 || groups[1] === 0) return;
    this.slots++;
    const key = `${file}:${entry}${constants ? JSON.stringify(constants) : ''}`;
    const pipeline = this.pipeline(key, file, entry, constants);
    const written = tensors[tensors.length - 1]!;
    if ('storage' in written) (written.storage as GpuStorage).host = undefined;
    const buffers = tensors.map((t) => ('storage' in t ? (t.storage as GpuStorage).buffer : t));
    // A tensor is bound at its own size, not its pooled buffer's (a power of two up to twice
    // as large), so that only a tensor itself past the adapter's limit is refused.
    const sizes = tensors.map((t) => ('storage' in t ? Math.max(4, Math.ceil(t.storage.bytes / 4) * 4) : t.size));
    const limit = this.device.limits.maxStorageBufferBindingSize;
    const over = sizes.findIndex((n) => n > limit);
    if (over >= 0)
      throw new RangeError(
        `webgpu ${file}.${entry}: ${'storage' in tensors[over]! ? tensors[over].describe() : 'a buffer'} takes ${sizes[over]} bytes, ` +
          `more than this adapter binds (maxStorageBufferBindingSize ${limit})`,
      );
    // WebGPU forbids a buffer bound writable and bound again in one dispatch; in-place
    // kernels have their own entry points with a single read_write binding.
    if (buffers.indexOf(buffers[buffers.length - 1]!) < buffers.length - 1)
      throw new Error(
        `webgpu ${file}.${entry}: the output's buffer is also an input ` +
          `(${tensors.map((t) => ('storage' in t ? t.describe() : 'a buffer')).join(', ')}); use an in-place entry point`,
      );
    const bind = this.bindGroup(`${key}|${slot}|${buffers.map((b, i) => `${this.bufferId(b)}:${sizes[i]}`).join(',')}`, () =>
      this.device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniformBuffer, offset: slot * SLOT, size: uniforms.bytes } },
          ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer, size: sizes[i]! } })),
        ],
      }),
    );
    const encoder = (this.encoder ??= this.device.createCommandEncoder());
    const pass = (this.pass ??= this.beginPass(encoder));
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(groups[0], groups[1] ?? 1);
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) this.bufferIds.set(b, (id = ++this.buffersSeen));
    return id;
  }

  /** The bind group under `key`, made by `make` when there is none (buffers are never destroyed before the backend, so a kept one stays valid). */
  private bindGroup(key: string, make: () => GPUBindGroup): GPUBindGroup {
    if (!this.reuseBindGroups) {
      this.bindGroupCount.made++;
      return make();
    }
    let b = this.bindGroups.get(key);
    if (b) {
      this.bindGroups.delete(key); // most recently used last
      this.bindGroupCount.reused++;
    } else {
      b = make();
      this.bindGroupCount.made++;
      if (this.bindGroups.size === BIND_GROUPS) this.bindGroups.delete(this.bindGroups.keys().next().value!);
    }
    this.bindGroups.set(key, b);
    return b;
  }

  /** A 1-D dispatch of n invocations, folded into 2-D past 65,535 workgroups (kernels use flat_index()). */
  dispatch1d(file: string, entry: string, tensors: readonly (Tensor | GPUBuffer)[], params: Uniforms, n: number): void {
    this.dispatch(file, entry, tensors, params, rowGroups(Math.ceil(n / WORKGROUP)));
  }

  /** Releases every GPU object (the backend cannot be used afterwards). */
  destroy(): void {
    this.flush();
    this.bindGroups.clear();
    this.pool.destroy();
    this.staging.destroy();
    this.uniformBuffer.destroy();
    this.faults.destroy();
    this.querySet?.destroy();
    this.resolveBuffer?.destroy();
    this.device.destroy();
  }
}

const FAULTS: Record<number, (position: number, value: number) => string> = {
  1: (k, id) => `webgpu embeddingGather: id ${id | 0} at position ${k} is outside the table`,
  2: (k, id) => `webgpu embeddingScatterAdd: id ${id | 0} at position ${k} is outside the table`,
  3: (k) => `webgpu cast int64 → int32: element ${k} does not fit in int32`,
  4: (r, t) => `webgpu softmaxXent: target ${t | 0} of row ${r} is outside [0, classes) and is not the ignored index`,
};

function faultMessage(code: number, position: number, value: number): string {
  return `${FAULTS[code]?.(position, value) ?? `webgpu: kernel fault ${code}`} (raised at this read; the kernel ran earlier)`;
}

/** `groups` workgroups (one per row or chunk), folded into 2-D past 65,535 (g = wid.y·nwg.x + wid.x). */
export function rowGroups(groups: number): [number, number] {
  return groups <= MAX_GROUPS ? [groups, 1] : [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS)];
}

/**
 * A float32 scratch tensor of `size` elements on t's backend, contents unspecified; dispose it after
 * recording its last use (buffers are reused in recording order).
 */
export function scratch(t: Tensor, size: number): Tensor {
  return Tensor.empty([Math.max(size, 1)], 'float32', t.backend, false);
}

/** The webgpu backend, once initWebGpu() has run. */
export function gpu(t: Tensor): WebGpuBackend {
  return t.backend as WebGpuBackend;
}

export function register(b: WebGpuBackend): void {
  registerBackend(b);
}
