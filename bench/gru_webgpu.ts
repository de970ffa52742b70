// `npm run bench -- gru --backend webgpu`: the GRU workloads W1–W4 (bench/gru_workloads.ts) on
// the webgpu backend, its recurrence in whole-sequence kernels and by steps
// (ts/backend/webgpu/gru.ts), beside the same workloads on seqcore's cpu backend (the
// reference), in sequences/s. Validate, then time: one W1 step each way on webgpu must leave
// the cpu's weights; each case is then timed by time() (bench/gru_workloads.ts). On llvmpipe
// this only proves the path. Last, a dispatch-bound step (a small GRU by steps) with the
// backend's bind groups reused against made for every dispatch, as before they were reused.
import { useGruRecurrence } from '../ts/backend/webgpu/gru.js';
import { initWebGpu } from '../ts/backend/webgpu/index.js';
import type { WebGpuBackend } from '../ts/backend/webgpu/backend.js';
import { native } from '../ts/index.js';
import { build, stepAsync, time, trainingStep, WORKLOADS } from './gru_workloads.js';
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
  rows.push(await bindGroupReuse(opts, gpu));
  useGruRecurrence('sequence');
  report(rows, opts.json, [
    `gru on webgpu: ${gpu.description}; reference: seqcore cpu backend (${native.isa().active}, ${opts.threads} threads); ` +
      `best of ${opts.rounds} alternating rounds`,
    ...skipped,
  ]);
  await gpu.sync();
  gpu.destroy();
}

/** `npm run bench -- dispatch`: bindGroupReuse alone (webgpu). */
export async function dispatchSuite(opts: SuiteOptions): Promise<void> {
  const gpu = await initWebGpu();
  const row = await bindGroupReuse(opts, gpu);
  useGruRecurrence('sequence');
  report([row], opts.json, [`webgpu: ${gpu.description}; reference: the same step, a bind group made for every dispatch; best of ${opts.rounds} rounds`]);
  await gpu.sync();
  gpu.destroy();
}

/**
 * A step bound by the host's cost of recording dispatches (a GRU by steps: 8 sequences × 64
 * steps, E = H = 16, one layer, forward and backward, Adam): bind groups reused (ours) against
 * made for every dispatch (reference), in steps/s. Validated first: the weights after one step
 * are the same bits both ways.
 */
export async function bindGroupReuse(opts: SuiteOptions, gpu: WebGpuBackend): Promise<Row> {
  const tiny = { tiny: () => trainingStep({ E: 16, H: 16, layers: 1 }, new Array(8).fill(64)) };
  useGruRecurrence('steps');
  const ways = [true, false] as const;
  const weights: Float32Array[] = [];
  for (const reuse of ways) {
    gpu.reuseBindGroups = reuse;
    const w = await build('webgpu', 'tiny', tiny);
    await stepAsync(w);
    weights.push((await w.opt!.params[0]!.data()) as Float32Array);
    w.dispose();
  }
  const differs = weights[0]!.findIndex((v, i) => v !== weights[1]![i]);
  if (differs >= 0)
    throw new Error(`webgpu bind group reuse: weight ${differs} after one step is ${weights[0]![differs]}, made per dispatch ${weights[1]![differs]}`);
  const best = [Infinity, Infinity];
  let dispatches = 0;
  for (let round = 0; round < opts.rounds; round++)
    for (const [k, reuse] of ways.entries()) {
      gpu.reuseBindGroups = reuse;
      const w = await build('webgpu', 'tiny', tiny);
      best[k] = Math.min(best[k]!, await time(w, opts.seconds, () => gpu.sync()));
      const before = gpu.bindGroupCount.made + gpu.bindGroupCount.reused;
      await stepAsync(w);
      dispatches = gpu.bindGroupCount.made + gpu.bindGroupCount.reused - before;
      w.dispose();
    }
  gpu.reuseBindGroups = true;
  return {
    suite: 'gru-webgpu',
    case: 'dispatch-bound: GRU by steps, 8 × 64 steps, E = H = 16',
    ours: 1 / best[0]!,
    reference: 1 / best[1]!,
    unit: 'steps/s',
    extra: {
      'ms/step (bind groups reused)': (1000 * best[0]!).toFixed(1),
      'ms/step (made per dispatch)': (1000 * best[1]!).toFixed(1),
      'dispatches/step': String(dispatches),
    },
  };
}
