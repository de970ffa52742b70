// The WebGPU backend (Dawn through the npm package `webgpu`): tensors in pooled GPU buffers,
// kernels from kernels/*.wgsl recorded into one command encoder that is submitted only when
// the host needs a result (a read, an upload) or the uniform ring is full.
//
// Ordering rules this file keeps (the WebGPU queue runs writeBuffer before any command
// buffer submitted after it, whatever the recording order):
//   - upload() submits the pending commands first, so they see the old contents;
//   - every dispatch's parameters get their own 256-byte slot of a uniform ring, written
//     with one writeBuffer just before the submit that uses them.
// Reads are asynchronous only (tensor.data()); download() throws with that advice.
import { BYTES_PER_ELEMENT, hostArray, isHostArrayOf, type DType, type HostArray } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { registerBackend, type Backend, type Storage } from '../backend.js';
import { shaderSource } from './shaders.js';

export interface GpuStorage extends Storage {
  readonly buffer: GPUBuffer;
}

const SLOT = 256; // minUniformBufferOffsetAlignment
const SLOTS = 256;
/** Invocations per workgroup of every 1-D kernel (the compatibility-mode limit is 128). */
export const WORKGROUP = 128;
const MAX_GROUPS = 65535;

/** Uniform fields of a dispatch: 'u' u32, 'i' i32, 'f' f32, in struct order. */
export type ParamTypes = string;

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  private readonly pool = new Map<number, GPUBuffer[]>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly uniformHost = new ArrayBuffer(SLOT * SLOTS);
  private readonly uniformBuffer: GPUBuffer;
  private slots = 0;

  /** `gpu` is held only to keep Dawn's instance alive as long as the device (see device.ts). */
  constructor(readonly gpu: GPU, readonly device: GPUDevice, readonly description: string) {
    this.uniformBuffer = device.createBuffer({ size: SLOT * SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }

  alloc(dtype: DType, size: number, zero = true): GpuStorage {
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    // Power-of-two size classes from 256 bytes: at most 2× waste, and buffers are reused
    // across steps instead of created (creating a buffer costs far more than a kernel).
    const cls = Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
    const buffer = this.pool.get(cls)?.pop() ?? this.device.createBuffer({ size: cls, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    if (zero) this.commands().clearBuffer(buffer);
    return { backend: this, bytes, refs: 1, buffer };
  }

  free(storage: Storage): void {
    const { buffer } = storage as GpuStorage;
    const list = this.pool.get(buffer.size) ?? [];
    list.push(buffer);
    this.pool.set(buffer.size, list);
  }

  upload(storage: Storage, dtype: DType, data: HostArray): void {
    if (!isHostArrayOf(dtype, data)) throw new TypeError(`webgpu upload: data is not a ${dtype} array`);
    this.flush();
    const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    // writeBuffer takes multiples of 4 bytes (float16 and uint8 tensors may be shorter).
    const padded = bytes.byteLength % 4 ? Uint8Array.from({ length: Math.ceil(bytes.byteLength / 4) * 4 }, (_, i) => bytes[i] ?? 0) : bytes;
    this.device.queue.writeBuffer((storage as GpuStorage).buffer, 0, padded);
  }

  download(): HostArray {
    throw new Error("webgpu tensors are read asynchronously: use 'await tensor.data()' (or tensor.scalar()) instead of toArray()/item()");
  }

  async downloadAsync(storage: Storage, dtype: DType, size: number): Promise<HostArray> {
    const out = hostArray(dtype, size);
    const bytes = Math.ceil(out.byteLength / 4) * 4;
    if (bytes === 0) return out;
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.commands().copyBufferToBuffer((storage as GpuStorage).buffer, 0, staging, 0, bytes);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ);
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(staging.getMappedRange(), 0, out.byteLength));
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** The pending encoder, outside any compute pass (for copies and clears). */
  private commands(): GPUCommandEncoder {
    if (this.pass) { this.pass.end(); this.pass = null; }
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    if (this.pass) { this.pass.end(); this.pass = null; }
    if (this.slots) this.device.queue.writeBuffer(this.uniformBuffer, 0, new Uint8Array(this.uniformHost, 0, this.slots * SLOT));
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.slots = 0;
  }

  /** Waits until the GPU has finished everything submitted (timing, teardown). */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  private pipeline(file: string, entry: string): GPUComputePipeline {
    const key = `${file}:${entry}`;
    let p = this.pipelines.get(key);
    if (!p) {
      let module = this.modules.get(file);
      if (!module) this.modules.set(file, (module = this.device.createShaderModule({ label: file, code: shaderSource(file) })));
      p = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint: entry } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * Records one dispatch of `entry` in kernels/`file`.wgsl: binding 0 is the uniform struct
   * (`types`, `params`), bindings 1… the tensors in order, the last one the only one written
   * (the others may repeat); `groups` workgroups (x, y).
   */
  dispatch(file: string, entry: string, tensors: readonly Tensor[], types: ParamTypes, params: readonly number[], groups: readonly [number, number?]): void {
    if (groups[0] === 0 || groups[1] === 0) return;
    if (this.slots === SLOTS) this.flush();
    const slot = this.slots++;
    const view = new DataView(this.uniformHost, slot * SLOT, SLOT);
    for (let i = 0; i < types.length; i++) {
      const t = types[i];
      if (t === 'u') view.setUint32(4 * i, params[i]!, true);
      else if (t === 'i') view.setInt32(4 * i, params[i]!, true);
      else view.setFloat32(4 * i, params[i]!, true);
    }
    const pipeline = this.pipeline(file, entry);
    const buffers = tensors.map((t) => (t.storage as GpuStorage).buffer);
    // WebGPU forbids a buffer bound writable and bound again in one dispatch; in-place
    // kernels have their own entry points with a single read_write binding.
    if (buffers.indexOf(buffers[buffers.length - 1]!) < buffers.length - 1)
      throw new Error(`webgpu ${file}.${entry}: the output's buffer is also an input (${tensors.map((t) => t.describe()).join(', ')}); use an in-place entry point`);
    const bind = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniformBuffer, offset: slot * SLOT, size: Math.max(16, Math.ceil((types.length * 4) / 16) * 16) } },
        ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
      ],
    });
    const encoder = (this.encoder ??= this.device.createCommandEncoder());
    const pass = (this.pass ??= encoder.beginComputePass());
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(groups[0], groups[1] ?? 1);
  }

  /** A 1-D dispatch of n invocations, folded into 2-D past 65,535 workgroups (kernels use index()). */
  dispatch1d(file: string, entry: string, tensors: readonly Tensor[], types: ParamTypes, params: readonly number[], n: number): void {
    const groups = Math.ceil(n / WORKGROUP);
    this.dispatch(file, entry, tensors, types, params, groups <= MAX_GROUPS ? [groups, 1] : [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS)]);
  }

  /** Releases every GPU object (the backend cannot be used afterwards). */
  destroy(): void {
    this.flush();
    for (const list of this.pool.values()) for (const b of list) b.destroy();
    this.pool.clear();
    this.uniformBuffer.destroy();
    this.device.destroy();
  }
}

/** The webgpu backend, once initWebGpu() has run. */
export function gpu(t: Tensor): WebGpuBackend {
  return t.backend as WebGpuBackend;
}

export function register(b: WebGpuBackend): void {
  registerBackend(b);
}
