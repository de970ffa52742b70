/* global GPUBufferUsage, GPUMapMode -- the WebGPU globals Dawn installs (navigator.gpu) */
// Why the webgpu backend holds the GPU object that Dawn's create() returns (plain Dawn API, no
// seqcore code): 300 rounds of write → dispatch → submit → await a GPU promise.
//   EGL_PLATFORM=surfaceless node bench/dawn_async_crash.mjs [drop|keep] [map|done]
// drop: the GPU object is not referenced after requestAdapter (as in most examples). The
//       garbage collector frees it, and with it Dawn's instance, while the device lives; the
//       binding's event pump then calls ProcessEvents on the freed instance and the process
//       dies within a few hundred awaits (glibc mutex assertions, "The futex facility returned
//       an unexpected error code", std::system_error, segfaults), with webgpu 0.6.2 and 0.4.0,
//       on Mesa llvmpipe (OpenGL ES) and on an H200 through Vulkan. gdb: the aborting frame is
//       dawn::native::InstanceBase::ProcessEvents under AsyncRunner::ScheduleProcessEvents.
// keep: the same loop with the GPU object held: every run completes.
// Measured 2026-11-26 on the 2-vCPU development machine (Debian 12, Node 20.20): drop aborted
// or hung in 6 of 6 runs, keep completed 13 of 13.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const hold = (process.argv[2] ?? 'drop') === 'keep';
const wait = process.argv[3] ?? 'map';
const flags = process.env.DAWN_BACKEND ? [`backend=${process.env.DAWN_BACKEND}`] : ['backend=opengles'];
const held = hold ? create(flags) : null; // a module-scope constant: never collected
const adapter = await (held ?? create(flags)).requestAdapter({ featureLevel: 'compatibility' });
const device = await adapter.requestDevice();
const module = device.createShaderModule({
  code: `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < arrayLength(&x)) { x[g.x] = x[g.x] * 2.0 + 1.0; } }`,
});
const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
const n = 1000;
for (let round = 0; round < 300; round++) {
  const buf = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const read = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buf, 0, Float32Array.from({ length: n }, (_, i) => i));
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] }));
  pass.dispatchWorkgroups(Math.ceil(n / 64));
  pass.end();
  enc.copyBufferToBuffer(buf, 0, read, 0, n * 4);
  device.queue.submit([enc.finish()]);
  if (wait === 'map') { await read.mapAsync(GPUMapMode.READ); read.unmap(); }
  else if (wait === 'done') await device.queue.onSubmittedWorkDone();
  else if (round % 50 === 49) await new Promise((r) => setTimeout(r, 1));
  read.destroy();
  buf.destroy();
}
console.log('ok');
device.destroy();
