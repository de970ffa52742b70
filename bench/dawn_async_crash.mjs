// Minimal reproduction of the crash that keeps the webgpu suite out of CI (plain Dawn API,
// no seqcore code): 300 rounds of write → dispatch → submit → await a GPU promise.
//   EGL_PLATFORM=surfaceless node bench/dawn_async_crash.mjs [map|done|none]
// map  (await buffer.mapAsync each round) and done (await queue.onSubmittedWorkDone): the
//      process dies in nearly every run — glibc mutex assertions, "The futex facility
//      returned an unexpected error code", std::system_error, segfaults — with webgpu 0.6.2
//      and 0.4.0 on Mesa llvmpipe (OpenGL ES), and seqcore's own suite died the same way on an
//      H200 through Vulkan;
// none (never await; a timer tick every 50 rounds): every run completes.
// Measured 2026-11-26 on the 2-vCPU development machine (Debian 12, Node 20.20).
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const wait = process.argv[2] ?? 'map';
const adapter = await create(process.env.DAWN_BACKEND ? [`backend=${process.env.DAWN_BACKEND}`] : ['backend=opengles']).requestAdapter({ featureLevel: 'compatibility' });
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
