import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ops, tensor } from '../ts/index.js';
import { Profiler, setProfiler } from '../ts/profile.js';

describe('kernel profiler', () => {
  it('times each kernel call while active, and writes a table and a Chrome trace', async () => {
    const a = tensor(new Float32Array(64 * 64).fill(0.5), [64, 64]);
    ops.matmul(a, a).dispose(); // not profiled
    const p = new Profiler();
    setProfiler(p);
    const b = ops.matmul(a, a),
      c = ops.sigmoid(b),
      d = ops.matmul(c, a);
    setProfiler(null);
    ops.add(d, d).dispose(); // not profiled
    const events = await p.finish();
    expect(events.map((e) => e.op)).toEqual(['gemm', 'unary', 'gemm']);
    expect(events.every((e) => e.backend === 'cpu' && e.dur >= 0 && e.start >= 0)).toBe(true);
    expect(events[1]!.start).toBeGreaterThanOrEqual(events[0]!.start + events[0]!.dur);
    const table = Profiler.table(events, p.sources);
    expect(table).toMatch(/\| cpu \| gemm \| 2 \|/);
    expect(table).toMatch(/\| cpu \| unary \| 1 \|/);
    const dir = mkdtempSync(join(tmpdir(), 'seqcore-profile-'));
    Profiler.writeTrace(join(dir, 'trace.json'), events);
    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as { traceEvents: { ph: string; name: string; ts: number; dur: number }[] };
    expect(trace.traceEvents.filter((e) => e.ph === 'X').map((e) => e.name)).toEqual(['gemm', 'unary', 'gemm']);
    expect(trace.traceEvents.find((e) => e.ph === 'X')!.dur).toBeCloseTo(events[0]!.dur * 1000, 6); // microseconds
    rmSync(dir, { recursive: true, force: true });
    for (const t of [a, b, c, d]) t.dispose();
  });
});
