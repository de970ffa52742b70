// Starting the WebGPU backend: Dawn's node binding (the optional dependency `webgpu`), an
// adapter and a device. On a machine with a GPU, Dawn's default backend (Vulkan, Metal or
// D3D12) in core mode; without one, Mesa's llvmpipe through OpenGL ES in compatibility mode
// (needs libegl1, libgles2, libegl-mesa0 and libgl1-mesa-dri; EGL_PLATFORM=surfaceless is
// set here when unset). SEQCORE_DAWN_BACKEND (vulkan, opengles, …) forces a backend.
// The GPU object that create() returns owns Dawn's instance, and nothing in the adapter or
// device keeps it alive: once the garbage collector takes it, the binding's event pump
// (which resolves mapAsync and onSubmittedWorkDone) runs on a freed instance and the process
// dies (glibc mutex assertions, segfaults, hangs) after a few hundred awaited promises. The
// backend therefore holds it for its lifetime (bench/dawn_async_crash.mjs shows both ways).
import { WebGpuBackend, register } from './backend.js';
import { loadTunedTiles } from './gemm_tune.js';
import './kernels.js';

export interface WebGpuOptions {
  /** A Dawn backend name; default: the platform's, then opengles. */
  dawnBackend?: string;
}

let started: Promise<WebGpuBackend> | null = null;

/** Starts the webgpu backend once (later calls return the same one) and registers it as 'webgpu'. */
export function initWebGpu(o: WebGpuOptions = {}): Promise<WebGpuBackend> {
  return (started ??= start(o).catch((e: unknown) => {
    started = null;
    throw e;
  }));
}

/** An adapter, and the GPU object that owns it (see the top of this file). */
export interface FoundAdapter {
  gpu: GPU;
  adapter: GPUAdapter;
  /** The Dawn flags it was found with ([] for the platform's default). */
  flags: string[];
}

/**
 * Dawn's first adapter: the platform's backend, then opengles (or the forced one). No device
 * is created (`seqcore doctor` only reads its info); throws naming every backend tried.
 */
export async function findAdapter(o: WebGpuOptions = {}): Promise<FoundAdapter> {
  let dawn: { create(options: string[]): GPU; globals: object };
  try {
    dawn = (await import('webgpu')) as never;
  } catch (e) {
    throw new Error(`webgpu backend: the optional dependency 'webgpu' (Dawn) is not installed or does not load: ${(e as Error).message}`, { cause: e });
  }
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, …
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const forced = o.dawnBackend ?? process.env.SEQCORE_DAWN_BACKEND;
  const attempts: [string[], GPURequestAdapterOptions][] = forced
    ? [[[`backend=${forced}`], forced === 'opengles' || forced === 'opengl' ? { featureLevel: 'compatibility' } : {}]]
    : [
        [[], {}],
        [['backend=opengles'], { featureLevel: 'compatibility' }],
      ];
  const tried: string[] = [];
  for (const [flags, opts] of attempts) {
    const gpu = dawn.create(flags);
    const adapter = await gpu.requestAdapter(opts).catch(() => null);
    if (adapter) return { gpu, adapter, flags };
    tried.push(flags.join(' ') || 'default');
  }
  throw new Error(
    `webgpu backend: no adapter (tried Dawn backends: ${tried.join(', ')}); without a GPU, install Mesa's libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri`,
  );
}

async function start(o: WebGpuOptions): Promise<WebGpuBackend> {
  const { gpu, adapter, flags } = await findAdapter(o);
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [], // for --profile
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const b = new WebGpuBackend(gpu, device, adapterDescription({ gpu, adapter, flags }));
  // Validation errors (a shader that does not compile, a bad binding) arrive asynchronously:
  // the first is kept and raised by the next read, like a kernel fault.
  device.addEventListener('uncapturederror', (e) => b.deviceError((e as GPUUncapturedErrorEvent).error.message));
  register(b);
  loadTunedTiles(b);
  return b;
}

/** The adapter's name and the Dawn flags it was found with: the backend's description, and the key of its tuned GEMM tiles. */
export function adapterDescription({ adapter, flags }: FoundAdapter): string {
  const info = adapter.info;
  return `${info.vendor} ${info.architecture} ${info.description}`.trim() + (flags.length ? ` (${flags.join(' ')})` : '');
}
