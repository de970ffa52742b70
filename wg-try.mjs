import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const mode = process.argv[2];
if (mode === 'addon') require('./build/Release/seqcore.node');
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
const adapter = await create(['backend=opengles']).requestAdapter({ featureLevel: 'compatibility' });
const device = await adapter.requestDevice();
const mod = device.createShaderModule({ code: `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < arrayLength(&x)) { x[g.x] = x[g.x] * 2.0 + 1.0; } }` });
const pipe = device.createComputePipeline({ layout: 'auto', compute: { module: mod, entryPoint: 'main' } });
const n = 1000;
for (let it = 0; it < 100; it++) {
  const buf = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buf, 0, Float32Array.from({ length: n }, (_, i) => i));
  const read = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipe); pass.setBindGroup(0, device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] }));
  pass.dispatchWorkgroups(Math.ceil(n / 64)); pass.end();
  enc.copyBufferToBuffer(buf, 0, read, 0, n * 4);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  read.unmap(); read.destroy(); buf.destroy();
}
console.log('ok');
device.destroy();
