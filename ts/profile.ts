// Per-kernel profiling: while a Profiler is active, every kernel the registry hands out is
// timed. cpu kernels run synchronously and are timed by the host clock. A backend that runs
// kernels asynchronously (webgpu) times them itself (Backend.timeKernel): GPU timestamp
// queries where the adapter has them, otherwise the host time at which the queue reports
// the kernel done. finish() gathers the results into a table and a Chrome trace.
import { writeFileAtomic } from './io/atomic.js';

export interface KernelEvent {
  op: string;
  backend: string;
  /** Milliseconds from the profile's start. */
  start: number;
  dur: number;
}

/** How a backend that runs asynchronously times one kernel call (run() does the call). */
export interface KernelTimer {
  timeKernel(op: string, run: () => void, profile: Profiler): void;
  /** 'gpu timestamps' or 'queue completion (host clock)', for the table's header. */
  readonly timingSource: string;
}

export class Profiler {
  readonly t0 = performance.now();
  private readonly events: KernelEvent[] = [];
  private readonly pending: Promise<void>[] = [];
  readonly sources = new Set<string>(['cpu: host clock']);

  /** Times a kernel call; kernels on backends with their own timer are handed to it. */
  run(op: string, backend: { name: string } & Partial<KernelTimer>, call: () => void): void {
    if (backend.timeKernel) {
      this.sources.add(`${backend.name}: ${backend.timingSource}`);
      backend.timeKernel(op, call, this);
      return;
    }
    const start = performance.now();
    call();
    this.add({ op, backend: backend.name, start: start - this.t0, dur: performance.now() - start });
  }

  add(e: KernelEvent): void {
    this.events.push(e);
  }

  /** A result that arrives later (a GPU readback); finish() waits for it. */
  later(p: Promise<void>): void {
    this.pending.push(p);
  }

  /** Every event, in start order, once pending results have arrived. */
  async finish(): Promise<KernelEvent[]> {
    await Promise.all(this.pending);
    return [...this.events].sort((a, b) => a.start - b.start);
  }

  /** Per (backend, op): calls, total and mean time, share of the total; slowest first. */
  static table(events: readonly KernelEvent[], sources: Iterable<string>): string {
    const by = new Map<string, { backend: string; op: string; calls: number; ms: number }>();
    for (const e of events) {
      const k = `${e.backend}\0${e.op}`;
      const r = by.get(k) ?? { backend: e.backend, op: e.op, calls: 0, ms: 0 };
      r.calls++;
      r.ms += e.dur;
      by.set(k, r);
    }
    const total = [...by.values()].reduce((a, r) => a + r.ms, 0);
    const rows = [...by.values()]
      .sort((a, b) => b.ms - a.ms)
      .map(
        (r) =>
          `| ${r.backend} | ${r.op} | ${r.calls} | ${r.ms.toFixed(3)} | ` +
          `${((1000 * r.ms) / r.calls).toFixed(1)} | ${((100 * r.ms) / Math.max(total, 1e-12)).toFixed(1)} |`,
      );
    const head = ['| backend | kernel | calls | total ms | mean µs | share % |', '|---|---|---|---|---|---|'];
    return [`timing: ${[...sources].join('; ')}`, '', ...head, ...rows].join('\n');
  }

  /** Chrome trace JSON (chrome://tracing, ui.perfetto.dev): one complete event per kernel call, one track per backend. */
  static writeTrace(path: string, events: readonly KernelEvent[]): void {
    const tracks = [...new Set(events.map((e) => e.backend))];
    const trace = {
      displayTimeUnit: 'ms',
      traceEvents: [
        ...tracks.map((b, i) => ({ name: 'thread_name', ph: 'M', pid: 1, tid: i + 1, args: { name: b } })),
        ...events.map((e) => ({ name: e.op, cat: e.backend, ph: 'X', pid: 1, tid: tracks.indexOf(e.backend) + 1, ts: e.start * 1000, dur: e.dur * 1000 })),
      ],
    };
    writeFileAtomic(path, JSON.stringify(trace));
  }
}

let active: Profiler | null = null;

/** Starts (a Profiler) or stops (null) profiling of every kernel call. */
export function setProfiler(p: Profiler | null): void {
  active = p;
}

export function activeProfiler(): Profiler | null {
  return active;
}
