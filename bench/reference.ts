// The PyTorch side of the benchmarks: one long-lived bench/torch_ref.py process answering
// one request per line. Says plainly when the comparison is void: no Debian PyTorch, or
// PyTorch not running on OpenBLAS.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { native } from '../ts/index.js';

const PYTHON = '/usr/bin/python3';

export class TorchReference {
  /** What runs ("PyTorch 1.13.1, OpenBLAS core SkylakeX, 2 threads") or why nothing does. */
  label = '';
  /** The environment the PyTorch process runs with (also for one-off runs). */
  env: NodeJS.ProcessEnv = process.env;
  private proc: ChildProcessWithoutNullStreams | null = null;
  private lines: AsyncIterator<string> | null = null;
  private stderr = '';

  static async start(threads: number): Promise<TorchReference> {
    const ref = new TorchReference();
    if (!existsSync(PYTHON)) {
      ref.label = `no ${PYTHON}: PyTorch comparison skipped`;
      return ref;
    }
    // Debian's OpenBLAS 0.3.21 does not recognise some newer CPUs (on this machine's Xeon
    // it falls back to its Prescott SSE3 kernels, 4× slower): name the best core the CPU
    // supports so the reference runs at its strongest. OPENBLAS_VERBOSE=2 reports the core.
    const best = native.isa().best;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OMP_WAIT_POLICY: 'PASSIVE', // idle OpenMP threads otherwise spin against OpenBLAS's
      OMP_NUM_THREADS: String(threads),
      OPENBLAS_NUM_THREADS: String(threads),
      OPENBLAS_VERBOSE: '2',
      ...(best === 'avx512' ? { OPENBLAS_CORETYPE: 'SkylakeX' } : best === 'avx2' ? { OPENBLAS_CORETYPE: 'Haswell' } : {}),
    };
    ref.env = env;
    const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_ref.py');
    const proc = spawn(PYTHON, [script, String(threads)], { env });
    proc.stderr.on('data', (d: Buffer) => {
      ref.stderr += d.toString();
    });
    ref.proc = proc;
    ref.lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    const first = await ref.lines.next();
    if (first.done) {
      await new Promise((r) => proc.once('close', r));
      const why = /No module named 'torch'/.test(ref.stderr)
        ? 'PyTorch is not installed (apt-get install python3-torch libopenblas0-pthread)'
        : ref.stderr.trim().split('\n').slice(-2).join(' | ');
      ref.close();
      ref.label = `PyTorch reference failed to start: ${why}`;
      return ref;
    }
    const info = JSON.parse(first.value) as { torch: string; blas: string; threads: number };
    const core = /Core: (\S+)/.exec(ref.stderr)?.[1];
    if (info.blas !== 'openblas') {
      ref.close();
      ref.label = `PyTorch ${info.torch} runs on ${info.blas}, not OpenBLAS: the comparison is void (apt-get install libopenblas0-pthread)`;
      return ref;
    }
    ref.label = `PyTorch ${info.torch}, OpenBLAS${core ? ` core ${core}` : ''}, ${info.threads} threads`;
    return ref;
  }

  get available(): boolean {
    return this.proc !== null;
  }

  /** One measurement, or null when no reference runs. A failed request throws. */
  async run(request: Record<string, unknown>): Promise<number | null> {
    if (!this.proc || !this.lines) return null;
    this.proc.stdin.write(`${JSON.stringify(request)}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error(`PyTorch reference exited: ${this.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    const out = JSON.parse(r.value) as { value?: number; error?: string };
    if (out.error !== undefined) throw new Error(`PyTorch reference: ${out.error}`);
    return out.value!;
  }

  close(): void {
    this.proc?.stdin.end();
    this.proc?.kill();
    this.proc = null;
    this.lines = null;
  }
}
