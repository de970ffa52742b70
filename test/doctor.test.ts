// `seqcore doctor` as a user runs it: every part (cpu, webgpu, cuda) reports what this machine
// has or why it has none, in text and as one JSON object, and a missing part never stops the
// command.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCudaAddon } from '../ts/backend/cuda/addon.js';
import type { DoctorReport } from '../ts/cli/doctor.js';

function doctor(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', 'doctor', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('seqcore doctor', () => {
  it('--json: the cpu ISA and threads, the webgpu adapter or why none, the cuda devices or why none', () => {
    const cache = mkdtempSync(join(tmpdir(), 'seqcore-doctor-'));
    const r = doctor(['--json'], { SEQCORE_CACHE: cache });
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as DoctorReport;
    if (!j.cpu.ok) expect.fail(`the cpu addon is built here: ${j.cpu.error}`);
    expect(['avx512', 'avx2', 'scalar']).toContain(j.cpu.isa.active);
    expect(['avx512', 'avx2', 'scalar']).toContain(j.cpu.isa.best);
    expect(j.cpu.threads).toBeGreaterThanOrEqual(1);
    if (j.webgpu.ok) {
      expect(typeof j.webgpu.description).toBe('string');
      // without a GPU (CI) Dawn finds Mesa's llvmpipe, which must be called what it is
      if (/llvmpipe/.test(`${j.webgpu.device} ${j.webgpu.description}`)) expect(j.webgpu.software).toBe('Mesa llvmpipe');
      expect(j.webgpu.features.map((f) => f.name)).toEqual(['timestamp-query', 'shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix']);
      for (const f of j.webgpu.features) expect(typeof f.offered).toBe('boolean');
      expect(j.webgpu.gemmTiles).toEqual({ cache: join(cache, 'webgpu-gemm-tiles.json'), tuned: 0 }); // never tuned in this cache
    } else expect(j.webgpu.error).toMatch(/webgpu backend: /);
    const cuda = loadCudaAddon();
    if ('error' in cuda)
      expect(j.cuda).toEqual({ ok: false, error: cuda.error }); // not built / not loadable here
    else {
      if (!('driverVersion' in j.cuda)) expect.fail(`the CUDA addon loads here, yet: ${j.cuda.ok ? '' : j.cuda.error}`);
      expect(j.cuda.runtimeVersion).toMatch(/^\d+\.\d+$/);
      if (j.cuda.driverVersion === null)
        expect(j.cuda.ok).toBe(false); // the addon is built, but this machine has no driver
      else expect(j.cuda.driverVersion).toMatch(/^\d+\.\d+$/);
      for (const d of j.cuda.devices) expect(d.computeCapability).toMatch(/^\d+\.\d+$/);
    }
  }, 60_000);

  it('text: one line per part, the reason given where a part is missing', () => {
    const r = doctor([]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^cpu {5}(avx512|avx2|scalar) \(best this CPU supports: (avx512|avx2|scalar)\), \d+ threads$/m);
    expect(r.out).toMatch(/^webgpu {2}\S/m);
    const cuda = loadCudaAddon();
    if ('error' in cuda) expect(r.out).toContain(`cuda    not available: ${cuda.error.split('\n')[0]}`);
    else expect(r.out).toMatch(/^cuda {4}(driver \d+\.\d+|no driver), runtime \d+\.\d+$/m);
  }, 60_000);

  it('--tune: every tile of every size checked and timed, cached, and reported', () => {
    const cache = mkdtempSync(join(tmpdir(), 'seqcore-doctor-'));
    const r = doctor(['--tune', '--tune-sizes', '32,70'], { SEQCORE_CACHE: cache });
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(/^\d+×\d+×\d+: .* → /gm)).toHaveLength(8);
    const file = join(cache, 'webgpu-gemm-tiles.json');
    expect(existsSync(file)).toBe(true);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { adapters: Record<string, { entries: unknown[] }> };
    expect(Object.values(written.adapters)[0]!.entries).toHaveLength(8);
    expect(r.out).toContain(`GEMM tiles: tuned for 8 sizes (${file})`);
    expect(doctor(['--tune', '--tune-sizes', '32,0']).err).toMatch(/--tune-sizes must be an integer ≥ 1 and ≤ 16384, got '0'/);
  }, 120_000);

  it('no cpu addon, no Dawn adapter, no CUDA addon: each part says why, the command still succeeds', () => {
    const r = doctor(['--json'], {
      SEQCORE_NATIVE_ADDON: '/nonexistent/seqcore.node',
      SEQCORE_CUDA_ADDON: '/nonexistent/seqcore_cuda.node',
      SEQCORE_DAWN_BACKEND: 'nonexistent',
    });
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as DoctorReport;
    expect(j.cpu).toEqual({
      ok: false,
      error: "seqcore: the cpu backend's native addon is not available: SEQCORE_NATIVE_ADDON=/nonexistent/seqcore.node: no such file",
    });
    expect(j.webgpu.ok ? '' : j.webgpu.error).toMatch(/no adapter \(tried Dawn backends: backend=nonexistent\)|'webgpu' \(Dawn\) is not installed/);
    expect(j.cuda.ok ? '' : j.cuda.error).toBe('the CUDA addon: SEQCORE_CUDA_ADDON=/nonexistent/seqcore_cuda.node: no such file');
  }, 60_000);
});
