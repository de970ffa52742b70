// `seqcore doctor`: what this machine offers each backend — the cpu addon's ISA and threads, the
// WebGPU adapter (and its tuned GEMM tiles), the CUDA driver, devices and cuBLASLt. Each part
// reports its own status (a missing addon, Dawn or driver is a line of the report, never an
// exception), so the command answers on any machine; `--json` prints the same as one object.
// `--tune` first tunes the webgpu GEMM's tiles for this adapter (gemm_tune.ts).
import type { Command } from 'commander';
import { examples, withThreads } from './options.js';
import { loadCudaAddon } from '../backend/cuda/addon.js';
import { adapterDescription, findAdapter, initWebGpu } from '../backend/webgpu/device.js';
import { gemmTileCache, readTunedTiles, TUNE_SIZES, tuneGemm, tuneShapes } from '../backend/webgpu/gemm_tune.js';
import { integer } from './flags.js';
import { native } from '../native.js';

type Part<T> = ({ ok: true } & T) | { ok: false; error: string };

interface CpuPart {
  isa: { active: string; best: string };
  threads: number;
}
interface WebGpuPart {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The Dawn backend it was found on: 'default' (the platform's) or a forced/fallback one. */
  dawnBackend: string;
  /** Why this is a software renderer (no GPU does the work), or null for hardware. */
  software: string | null;
  /** The adapter features seqcore's kernels could use: whether offered, and what seqcore does with each. */
  features: { name: string; offered: boolean; use: string }[];
  /** The GEMM tiles tuned for this adapter in the cache (0: none, tiles chosen by workgroup count), or why the cache cannot be read. */
  gemmTiles: { cache: string; tuned: number } | { cache: string; error: string };
}

/**
 * What each feature would serve, and what seqcore does with it today: timestamp queries time
 * kernels for --profile; f16 and subgroup kernels are not written yet (every kernel is f32
 * with workgroup-memory reductions), so an adapter's offer of them is reported, not used.
 */
const FEATURES = [
  { name: 'timestamp-query', use: 'used for --profile (per-kernel GPU times)' },
  { name: 'shader-f16', use: 'not used: every kernel computes in f32' },
  { name: 'subgroups', use: 'not used: reductions go through workgroup memory' },
  { name: 'chromium-experimental-subgroup-matrix', use: 'not used' },
] as const;
interface CudaDevicePart {
  index: number;
  name: string;
  computeCapability: string;
  memoryBytes: number;
  multiprocessors: number;
}
interface CudaPart {
  /** null: no driver (cudaDriverGetVersion gives 0). */
  driverVersion: string | null;
  runtimeVersion: string;
  devices: CudaDevicePart[];
  cublasLt: { path: string | null; version: string | null; searched: string[]; error: string | null };
  /** The GRU recurrence device 0 runs at some shapes ('persistent' or 'per-step (why)'), when it could start. */
  gru?: Record<string, string>;
}

/**
 * The GRU layouts doctor reports the recurrence for: 256 sequences of 128 steps, and
 * challenge-like ones (about 12 active rows a step), at each hidden size.
 */
const GRU_SHAPES = [256, 512, 1024].flatMap((H) => [
  { label: `256 × 128 steps, hidden ${H}`, B: 256, T: 128, total: 256 * 128, H },
  { label: `256 challenge-like (12 rows a step), hidden ${H}`, B: 256, T: 128, total: 12 * 128, H },
]);
/** CUDA fails with its details when the addon loads but no device or no cuBLASLt is usable. */
type CudaReport = Part<CudaPart> | ({ ok: false; error: string } & CudaPart);
export interface DoctorReport {
  cpu: Part<CpuPart>;
  webgpu: Part<WebGpuPart>;
  cuda: CudaReport;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function cpuPart(): Part<CpuPart> {
  try {
    return { ok: true, isa: native.isa(), threads: native.threads() }; // the addon's stand-in throws why it did not load
  } catch (e) {
    return { ok: false, error: message(e) };
  }
}

// Renderers that run on the CPU: Mesa's llvmpipe (GL), lavapipe (Vulkan) and softpipe, and
// Google's SwiftShader. Dawn reports them as ordinary adapters, with the name in device or
// description, not always as isFallbackAdapter.
const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader/i;

async function webgpuPart(): Promise<Part<WebGpuPart>> {
  try {
    const found = await findAdapter();
    const { adapter, flags } = found;
    const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
    const named = SOFTWARE.exec(`${vendor} ${architecture} ${device} ${description}`)?.[0];
    const software = named ? `${/swiftshader/i.test(named) ? 'SwiftShader' : `Mesa ${named.toLowerCase()}`}` : isFallbackAdapter ? 'fallback adapter' : null;
    const features = FEATURES.map((f) => ({ ...f, offered: adapter.features.has(f.name) }));
    const cache = gemmTileCache();
    let gemmTiles: WebGpuPart['gemmTiles'];
    try {
      gemmTiles = { cache, tuned: readTunedTiles(adapterDescription(found), cache)?.length ?? 0 };
    } catch (e) {
      gemmTiles = { cache, error: message(e) };
    }
    return {
      ok: true,
      vendor,
      architecture,
      device,
      description,
      dawnBackend: flags.join(' ').replace(/^backend=/, '') || 'default',
      software,
      features,
      gemmTiles,
    };
  } catch (e) {
    return { ok: false, error: message(e) };
  }
}

/** 1000·major + 10·minor (CUDA's encoding) as "major.minor". */
const cudaVersion = (v: number): string => `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
/** cuBLAS(Lt)'s encoding, 10000·major + 100·minor + patch, as "major.minor.patch". */
const cublasVersion = (v: number): string => `${Math.floor(v / 10000)}.${Math.floor((v % 10000) / 100)}.${v % 100}`;

function cudaPart(): CudaReport {
  const loaded = loadCudaAddon();
  if ('error' in loaded) return { ok: false, error: loaded.error };
  try {
    const info = loaded.addon.deviceInfo();
    const lt = loaded.addon.cublasInfo();
    const devices = info.devices.map((d, index) => ({
      index,
      name: d.name,
      computeCapability: `${d.major}.${d.minor}`,
      memoryBytes: d.totalBytes,
      multiprocessors: d.multiprocessors,
    }));
    const cublasLt = { path: lt.path, version: lt.version === null ? null : cublasVersion(lt.version), searched: lt.searched, error: lt.error };
    const common = {
      driverVersion: info.driverVersion > 0 ? cudaVersion(info.driverVersion) : null,
      runtimeVersion: cudaVersion(info.runtimeVersion),
      devices,
      cublasLt,
    };
    if (info.error !== null || devices.length === 0) return { ...common, ok: false, error: info.error ?? 'no CUDA device is visible' };
    if (lt.error !== null) return { ...common, ok: false, error: `cuBLASLt: ${lt.error}` };
    loaded.addon.init(Number(process.env.SEQCORE_CUDA_DEVICE ?? 0));
    const gru = Object.fromEntries(GRU_SHAPES.map(({ label, B, T, total, H }) => [label, loaded.addon.gruAlgorithm(B, T, total, H)]));
    return { ok: true, ...common, gru };
  } catch (e) {
    return { ok: false, error: message(e) };
  }
}

export async function doctor(): Promise<DoctorReport> {
  return { cpu: cpuPart(), webgpu: await webgpuPart(), cuda: cudaPart() };
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
/** An error under its part's column (Node's load errors span lines: the require stack). */
const why = (error: string): string => error.replace(/\n/g, '\n        ');

function text(r: DoctorReport): string {
  const lines: string[] = [];
  const { cpu, webgpu, cuda } = r;
  lines.push(
    cpu.ok ? `cpu     ${cpu.isa.active} (best this CPU supports: ${cpu.isa.best}), ${cpu.threads} threads` : `cpu     not available: ${why(cpu.error)}`,
  );
  if (!webgpu.ok) lines.push(`webgpu  not available: ${why(webgpu.error)}`);
  else {
    const name = [webgpu.vendor, webgpu.architecture, webgpu.device].filter((s) => s).join(' ');
    lines.push(`webgpu  ${name} (${webgpu.description}; Dawn backend ${webgpu.dawnBackend})`);
    if (webgpu.software) lines.push(`        software renderer (${webgpu.software}): runs on the CPU, no GPU is used`);
    for (const f of webgpu.features) lines.push(`        ${f.name}: ${f.offered ? 'offered' : 'not offered'}${f.offered ? `, ${f.use}` : ''}`);
    const g = webgpu.gemmTiles;
    lines.push(
      'error' in g
        ? `        GEMM tiles: the cache cannot be read: ${g.error}`
        : g.tuned
          ? `        GEMM tiles: tuned for ${g.tuned} sizes (${g.cache})`
          : "        GEMM tiles: not tuned, chosen by workgroup count ('seqcore doctor --tune' measures them)",
    );
  }
  if ('driverVersion' in cuda) {
    lines.push(`cuda    ${cuda.driverVersion ? `driver ${cuda.driverVersion}` : 'no driver'}, runtime ${cuda.runtimeVersion}`);
    for (const d of cuda.devices)
      lines.push(`        device ${d.index}: ${d.name}, compute capability ${d.computeCapability}, ${gib(d.memoryBytes)}, ${d.multiprocessors} SMs`);
    const lt = cuda.cublasLt;
    lines.push(
      lt.path
        ? `        cuBLASLt ${lt.version ?? '(version unknown)'} from ${lt.path}`
        : `        cuBLASLt not loaded: ${why(lt.error ?? `not found in ${lt.searched.join(', ')}`)}`,
    );
    for (const [shape, algorithm] of Object.entries(cuda.gru ?? {})) lines.push(`        GRU at ${shape}: ${algorithm}`);
  }
  if (!cuda.ok) lines.push(`${'driverVersion' in cuda ? '        ' : 'cuda    '}not available: ${why(cuda.error)}`);
  return `${lines.join('\n')}\n`;
}

export function addDoctorCommand(program: Command): void {
  examples(
    withThreads(program.command('doctor').description("what this machine offers each backend: the cpu addon's ISA and threads, the WebGPU adapter, CUDA"))
      .option('--json', 'the report as one JSON object')
      .option('--tune', "first tune the webgpu GEMM's tile shapes on this adapter (each checked against the cpu, then timed) and cache them on disk")
      .option('--tune-sizes <list>', `with --tune: the sizes tried for each of M, N and K (default ${TUNE_SIZES.join(',')}; on a software renderer 256,1024)`)
      .action(async (o: { json?: boolean; tune?: boolean; tuneSizes?: string }) => {
        if (o.tune) {
          // a software renderer runs 4096³ for hours: it gets the smaller sizes unless told
          const software = async (): Promise<boolean> => {
            const w = await webgpuPart();
            return w.ok && w.software !== null;
          };
          const list = o.tuneSizes ?? ((await software()) ? '256,1024' : TUNE_SIZES.join(','));
          const sizes = list.split(',').map((s) => integer('--tune-sizes', s, 1, 16384));
          const be = await initWebGpu();
          process.stderr.write(`tuning the webgpu GEMM tiles of ${be.description} (${sizes.length ** 3} sizes)\n`);
          await tuneGemm(be, { shapes: tuneShapes(sizes), log: (l) => process.stderr.write(`${l}\n`) });
          process.stderr.write(`written: ${gemmTileCache()}\n`);
        }
        const r = await doctor();
        process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : text(r));
      }),
    'seqcore doctor',
    'seqcore doctor --json',
    'seqcore doctor --tune --tune-sizes 256,1024',
  );
}
