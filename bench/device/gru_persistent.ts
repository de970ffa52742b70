// The persistent GRU benchmark (issue 17, part 4; run by bench/device/gru-persistent.sh): the
// cuda backend's GRU with the persistent recurrence (SEQCORE_GRU=persistent) and with the
// per-step one (SEQCORE_GRU=per-step), beside torch.nn.GRU on cuDNN in fp32 and under bf16
// autocast, on W1–W4 and System 1's S1, S1c, S1i (bench/gru_workloads.ts), training step
// (forward, backward, Adam) or inference.
// Validate, then time: each algorithm's gradients (training) or output (inference) are first
// compared with the cpu backend's on the same inputs (W1–W4: small enough for the cpu), and the
// persistent one's also with the per-step one's; only a case that passes is timed. Each time is
// the median of --repeats runs of time() (bench/gru_workloads.ts). PyTorch runs first, in its
// own process (bench/device/torch_cuda.py), so its numbers survive a crash of ours.
// --precision bf16 runs seqcore with bf16 GEMMs (SEQCORE_CUDA_PRECISION=bf16), its impl names
// ending in -bf16, held to a bf16 tolerance.
// JSON lines, one object each:
//   {"suite":"validate","case","impl","against","maxError","tolerance","ok"}
//   {"suite":"gru-persistent","case","impl","value","unit":"seq/s","tflops","peakPercent","ms"[,"dtype"]}
//     impl: seqcore-persistent | seqcore-per-step | torch | torch-bf16 (dtype: what cuDNN ran);
//     peakPercent: of the GPU's dense FP32 peak (BF16 for torch-bf16; bench/device/peaks.ts), or
//     null for a GPU not in the table
//   {"suite":"gru-persistent","case","impl","ok":false,"error"}   a case that failed
// Run from the repository root:
//   node .device/js/bench/device/gru_persistent.js [--workloads W1,…] [--sides torch,seqcore]
//     [--seconds S] [--repeats R] [--torch-timeout S] [--python python3] [--smoke] [--precision fp32|bf16]
//   node .device/js/bench/device/gru_persistent.js --summary FILE
// The second form reads those lines back from FILE and prints the summary: one line per case
// {"suite":"gru-persistent"|"gru-persistent-vs-per-step","case","ours","reference","ratio","unit"}
// (ours: persistent; reference: torch fp32, or per-step), then a table (bench/report.ts).
// --smoke runs everything on the cpu backend and PyTorch's cpu, System 1 at a tiny shape: the
// code path, where there is no GPU. Exit status: 0 when every case validated and ran, 1
// otherwise, 2 when the cuda backend did not start.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { integer, number, oneOf } from '../../ts/cli/flags.js';
import { native } from '../../ts/index.js';
import { build, lengthsOf, S1_SHAPE, systemOne, WORKLOADS, type GruShape, type Workload } from '../gru_workloads.js';
import { errorMessage, report, type Row } from '../report.js';
import { emit, failed, median, relativeError, runTorch, startCuda, status, validated, valuesOn } from './harness.js';
import { peakTflops } from './peaks.js';

const SUITE = 'gru-persistent';
/** System 1 in smoke tests: E ≠ H, so the layers' input sizes differ. */
const SMOKE_SHAPE: GruShape = { E: 24, H: 16, layers: 3 };
/**
 * max |v − v_ref| ÷ max |v_ref| allowed, per tensor. fp32: both sides fp32, summed in other
 * orders. bf16 (--precision bf16): the GEMMs round their inputs to bfloat16 (8 significant bits,
 * 2⁻⁹ relative each), which the per-step path does for h·W_hh too and the persistent kernel
 * does not (fp32 on CUDA cores), compounded over up to 128 steps and 3 layers.
 */
const TOLERANCE = { fp32: 1e-4, bf16: 5e-2 };
const SIDES = ['torch', 'seqcore'] as const;

const { values } = parseArgs({
  options: {
    workloads: { type: 'string', default: 'W1,W2,W3,W4,S1,S1c,S1i' },
    sides: { type: 'string', default: SIDES.join(',') },
    summary: { type: 'string' },
    seconds: { type: 'string', default: '0.25' },
    repeats: { type: 'string', default: '3' },
    'torch-timeout': { type: 'string', default: '200' },
    python: { type: 'string', default: 'python3' },
    smoke: { type: 'boolean', default: false },
    precision: { type: 'string', default: 'fp32' },
  },
});
/** seqcore's GEMM precision (SEQCORE_CUDA_PRECISION); bf16 lines carry impl names ending in -bf16. */
const precision = oneOf('--precision', values.precision, ['fp32', 'bf16'] as const);
const suffix = precision === 'bf16' ? '-bf16' : '';
const seconds = number('--seconds', values.seconds, { min: 0, above: true }),
  repeats = integer('--repeats', values.repeats, 1, 100);
const shape = values.smoke ? SMOKE_SHAPE : S1_SHAPE;
const TABLE = { ...WORKLOADS, ...systemOne(shape) };

/** The line of one measured case: `s` seconds per step of a workload of this size. */
function measured(name: string, impl: string, w: Pick<Workload, 'seqs' | 'flops'>, s: number, peak: number | null, more = {}): void {
  const tflops = w.flops / s / 1e12;
  emit({
    suite: SUITE,
    case: name,
    impl,
    value: w.seqs / s,
    unit: 'seq/s',
    tflops,
    peakPercent: peak === null ? null : (100 * tflops) / peak,
    ms: 1000 * s,
    ...more,
  });
}

/** PyTorch's cases, fp32 and bf16 autocast, as this suite's lines (with its other lines as they are). */
async function torchSide(names: string[]): Promise<void> {
  const args = [
    '--gemm',
    '0',
    '--precisions',
    'fp32,bf16',
    '--workloads',
    names.join(','),
    '--lengths',
    JSON.stringify(lengthsOf('S1c')),
    '--s1-shape',
    `${shape.E},${shape.H},${shape.layers}`,
    '--seconds',
    String(seconds),
    '--repeats',
    String(repeats),
    ...(values.smoke ? ['--device', 'cpu'] : []),
  ];
  const sizes = new Map<string, Pick<Workload, 'seqs' | 'flops'>>(); // built on the cpu once, for the FLOPs
  let device: string | null = null;
  for (const o of runTorch(values.python!, args, number('--torch-timeout', values['torch-timeout'], { min: 0, above: true }))) {
    if (o.suite === 'torch-info') device = String(o.device);
    if (o.suite !== 'gru-cuda') {
      emit(o);
      continue;
    }
    const [name, precision] = String(o.case).split(' ') as [string, string];
    const impl = precision === 'bf16' ? 'torch-bf16' : 'torch';
    if (o.ok === false) {
      failed({ suite: SUITE, case: name, impl, error: o.error });
      continue;
    }
    if (!sizes.has(name)) {
      const w = await build('cpu', name, TABLE);
      sizes.set(name, { seqs: w.seqs, flops: w.flops });
      w.dispose();
    }
    measured(
      name,
      impl,
      sizes.get(name)!,
      (o.ms as number) / 1000,
      peakTflops(device, precision === 'bf16' ? 'bf16' : 'fp32'),
      o.dtype ? { dtype: o.dtype } : {},
    );
  }
}

/** Where seqcore runs: the cuda backend, or the cpu in smoke tests. */
interface Device {
  backend: string;
  drain(): Promise<void>;
  /** FP32 peak, TFLOP/s. */
  peak: number | null;
  release(): void;
}

async function device(): Promise<Device> {
  if (values.smoke) {
    native.setThreads(availableParallelism());
    return { backend: 'cpu', drain: async () => {}, peak: null, release: () => {} };
  }
  process.env.SEQCORE_CUDA_PRECISION = precision;
  const cuda = await startCuda();
  const name = cuda.deviceInfo().devices[Number(process.env.SEQCORE_CUDA_DEVICE ?? 0)]?.name ?? null;
  return { backend: 'cuda', drain: async () => cuda.synchronize(), peak: peakTflops(name, 'fp32'), release: () => cuda.emptyCache() };
}

/** Validation lines of `got` against each reference (null: that run failed); whether all passed. */
function checked(what: string, impl: string, got: Float32Array[], against: [string, Float32Array[] | null][]): boolean {
  let ok = true;
  for (const [label, want] of against) {
    if (want === null) {
      failed({ suite: 'validate', case: what, impl, against: label, error: `no values from ${label} to compare with` });
      ok = false;
    } else if (!validated(what, impl, label, relativeError(got, want), TOLERANCE[precision])) ok = false;
  }
  return ok;
}

/**
 * Workload `name` with SEQCORE_GRU=`algorithm` (which the addon reads at each GRU call): its
 * values, validated against `against`, then timed; the values, or null when the run failed.
 */
async function algorithm(
  name: string,
  algorithm: 'per-step' | 'persistent',
  against: [string, Float32Array[] | null][],
  dev: Device,
): Promise<Float32Array[] | null> {
  process.env.SEQCORE_GRU = algorithm;
  const impl = `seqcore-${algorithm}${suffix}`;
  let w: Workload | null = null,
    got: Float32Array[] | null = null;
  try {
    w = await build(dev.backend, name, TABLE);
    got = await w.values();
    if (checked(`${name} ${w.opt ? 'gradients' : 'output'}`, impl, got, against))
      measured(name, impl, w, await median(w, seconds, repeats, dev.drain), dev.peak);
  } catch (e) {
    failed({ suite: SUITE, case: name, impl, error: errorMessage(e) }); // e.g. persistent cannot run on this GPU
  } finally {
    w?.dispose();
  }
  return got;
}

async function seqcoreSide(names: string[]): Promise<void> {
  const dev = await device();
  for (const name of names) {
    const against: [string, Float32Array[] | null][] = [];
    if (name in WORKLOADS) {
      try {
        against.push(['cpu backend', await valuesOn('cpu', name, TABLE)]);
      } catch (e) {
        failed({ suite: 'validate', case: name, impl: 'cpu backend', error: errorMessage(e) });
        continue;
      }
    }
    const perStep = await algorithm(name, 'per-step', against, dev);
    await algorithm(name, 'persistent', [...against, [`seqcore-per-step${suffix}`, perStep]], dev);
    dev.release();
  }
}

type Line = {
  suite: string;
  case: string;
  impl?: string;
  value?: number;
  tflops?: number;
  peakPercent?: number | null;
  ok?: boolean;
  error?: string;
  maxError?: number;
};

/** The summary lines and table of this suite's lines in `file`. */
function summary(file: string): void {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
  const ours = lines.filter((l) => l.suite === SUITE);
  const find = (name: string, impl: string): Line | undefined => ours.find((l) => l.case === name && l.impl === impl && l.value !== undefined);
  const fixed = (x: number | null | undefined, digits: number): string => (x === null || x === undefined ? '-' : x.toFixed(digits));
  const vsTorch: Row[] = [],
    vsPerStep: Row[] = [];
  for (const name of new Set(ours.map((l) => l.case))) {
    const p = find(name, 'seqcore-persistent');
    if (!p) continue;
    const step = find(name, 'seqcore-per-step'),
      torch = find(name, 'torch'),
      bf16 = find(name, 'torch-bf16');
    // seqcore with bf16 GEMMs: the faster of its two recurrences, beside torch's autocast
    const ours16 = Math.max(find(name, 'seqcore-per-step-bf16')?.value ?? 0, find(name, 'seqcore-persistent-bf16')?.value ?? 0);
    vsTorch.push({
      suite: SUITE,
      case: name,
      ours: p.value!,
      reference: torch?.value ?? null,
      unit: 'seq/s',
      extra: {
        'TFLOP/s': fixed(p.tflops, 2),
        '% peak': fixed(p.peakPercent, 1),
        'per-step': fixed(step?.value, 1),
        '÷ per-step': step ? (p.value! / step.value!).toFixed(2) : '-',
        'torch % peak': fixed(torch?.peakPercent, 1),
        'torch-bf16': fixed(bf16?.value, 1),
        'bf16 % peak': fixed(bf16?.peakPercent, 1),
        'seqcore bf16': ours16 ? ours16.toFixed(1) : '-',
        '÷ torch-bf16': ours16 && bf16 ? (ours16 / bf16.value!).toFixed(2) : '-',
      },
    });
    vsPerStep.push({ suite: `${SUITE}-vs-per-step`, case: name, ours: p.value!, reference: step?.value ?? null, unit: 'seq/s' });
  }
  report(vsTorch, true, []);
  report(vsPerStep, true, []);
  const failures = lines
    .filter((l) => l.ok === false)
    .map((l) => `failed: ${[l.suite, l.case, l.impl].filter(Boolean).join(' ')}: ${l.error ?? `max error ${l.maxError}`}`);
  const header = [
    `${SUITE}: seqcore cuda with SEQCORE_GRU=persistent, in sequences/s; reference: torch.nn.GRU fp32 (cuDNN, no TF32) on the same GPU; ` +
      'ratio = persistent ÷ torch (> 1: seqcore faster);',
    "  % peak: of the GPU's dense FP32 peak (BF16 for torch-bf16); per-step: SEQCORE_GRU=per-step;",
    '  seqcore bf16: --precision bf16 (GEMM inputs rounded to bfloat16 on tensor cores), the faster recurrence; torch-bf16: torch.autocast(bfloat16)',
    ...failures,
  ];
  if (vsTorch.length) report(vsTorch, false, header);
  else for (const h of [...header, 'no persistent case ran']) process.stdout.write(`${h}\n`);
}

if (values.summary !== undefined) {
  summary(values.summary);
} else {
  const names = values.workloads!.split(',').map((n) => oneOf('--workloads', n, Object.keys(TABLE)));
  const sides = values.sides!.split(',').map((s) => oneOf('--sides', s, SIDES));
  if (sides.includes('torch')) await torchSide(names);
  if (sides.includes('seqcore')) await seqcoreSide(names);
  process.exit(status());
}
