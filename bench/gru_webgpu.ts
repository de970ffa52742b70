// `npm run bench -- gru --backend webgpu`: the GRU workloads W1–W4 (bench/gru_workloads.ts) on
// the webgpu backend, its recurrence in whole-sequence kernels and by steps
// (ts/backend/webgpu/gru.ts), beside the same workloads on seqcore's cpu backend (the
// reference), in sequences/s. Validate, then time: one W1 step each way on webgpu must leave
// the cpu's weights; each case is then timed by time() (bench/gru_workloads.ts). On llvmpipe
// this only proves the path.
import { useGruRecurrence } from '../ts/backend/webgpu/gru.js';
import { initWebGpu } from '../ts/backend/webgpu/index.js';
import { native } from '../ts/index.js';
import { build, stepAsync, time, WORKLOADS } from './gru_workloads.js';
import { report, type Row, type SuiteOptions } from './report.js';

async function validate(): Promise<void> {
  const weights = async (backend: string): Promise<Float32Array> => {
    const w = await build(backend, 'W1');
    await stepAsync(w);
    const out = (await w.opt!.params[0]!.data()) as Float32Array;
    w.dispose();
    return out;
  };
  const cpu = await weights('cpu');
  for (const way of WAYS) {
    useGruRecurrence(way);
    const gpu = await weights('webgpu');
    for (let i = 0; i < cpu.length; i++)
      if (!(Math.abs(gpu[i]! - cpu[i]!) <= 1e-5 + 1e-4 * Math.abs(cpu[i]!)))
        throw new Error(`gru W1 on webgpu (recurrence: ${way}): weight ${i} after one step is ${gpu[i]}, the cpu's ${cpu[i]}`);
  }
}

const WAYS = ['sequence', 'steps'] as const;

export async function gruWebGpuSuite(opts: SuiteOptions): Promise<void> {
  native.setThreads(opts.threads);
  const gpu = await initWebGpu();
  await validate();
  const rows: Row[] = [];
  const skipped: string[] = [];
  for (const name of Object.keys(WORKLOADS)) {
    const best = { sequence: Infinity, steps: Infinity };
    let bestCpu = Infinity,
      seqs = 0;
    rounds: for (let round = 0; round < opts.rounds; round++) {
      for (const way of WAYS) {
        useGruRecurrence(way);
        const w = await build('webgpu', name);
        try {
          best[way] = Math.min(best[way], await time(w, opts.seconds, () => gpu.sync()));
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          skipped.push(`  ${name} skipped: ${e.message}`); // a tensor past the adapter's binding limit
          break rounds;
        } finally {
          w.dispose();
        }
        seqs = w.seqs;
      }
      const c = await build('cpu', name);
      bestCpu = Math.min(bestCpu, await time(c, opts.seconds, async () => {}));
      c.dispose();
    }
    if (best.sequence === Infinity || best.steps === Infinity) continue;
    rows.push({
      suite: 'gru-webgpu',
      case: name,
      ours: seqs / best.sequence,
      reference: seqs / bestCpu,
      unit: 'seq/s',
      extra: {
        'ms/step (webgpu, whole sequence)': (1000 * best.sequence).toFixed(1),
        'ms/step (webgpu, by steps)': (1000 * best.steps).toFixed(1),
        'ms/step (cpu)': (1000 * bestCpu).toFixed(1),
      },
    });
  }
  useGruRecurrence('sequence');
  report(rows, opts.json, [
    `gru on webgpu: ${gpu.description}; reference: seqcore cpu backend (${native.isa().active}, ${opts.threads} threads); ` +
      `best of ${opts.rounds} alternating rounds`,
    ...skipped,
  ]);
  await gpu.sync();
  gpu.destroy();
}
