// The GRU workloads W1–W4 of the gru suite, and System 1's shapes for the GPU benchmarks
// (systemOne), built from seqcore's public API. bench/torch_ref.py builds the same ones with
// torch.nn.GRU.
import { onBackend } from '../ts/backend/use.js';
import { Adam, backward, Embedding, GRU, Linear, manualSeed, noGrad, ops, PackedLayout, Rng, tensor, tidy, type Tensor } from '../ts/index.js';

export interface Workload {
  /** Sequences processed per step. */
  seqs: number;
  /** Effective FLOPs of one step (GEMMs only; backward counted as twice forward). */
  flops: number;
  /** Forward, and backward where the workload trains. */
  run(): void;
  /** The optimizer of a training workload. */
  opt: Adam | null;
  /**
   * What validation compares across backends and GRU algorithms: after one run(), each
   * parameter's gradient (training, gradients then cleared), or the output (inference).
   */
  values(): Promise<Float32Array[]>;
  dispose(): void;
}

/** A GRU stack: input size, hidden size, layers. */
export interface GruShape {
  E: number;
  H: number;
  layers: number;
}

/** W1, W3 and W4: one layer, 64 → 256. */
const W_SHAPE: GruShape = { E: 64, H: 256, layers: 1 };
/** System 1's encoder: three layers, 512 → 512. */
export const S1_SHAPE: GruShape = { E: 512, H: 512, layers: 3 };

/** What time() needs of a workload (a GEMM alone is timed the same way). */
export type Step = Pick<Workload, 'run' | 'opt'>;

/** One step on a backend that reads synchronously (cpu). */
export function step(w: Workload): void {
  w.run();
  w.opt?.step();
  w.opt?.zeroGrad();
}

/** One step on any backend (webgpu reads only asynchronously). */
export async function stepAsync(w: Step): Promise<void> {
  w.run();
  await w.opt?.stepAsync();
  w.opt?.zeroGrad();
}

/**
 * Seconds per step: a warm-up step, then steps until `seconds` have passed (at least 3), with
 * the device's queue drained before the clock starts and before it stops.
 */
export async function time(w: Step, seconds: number, drain: () => Promise<void>): Promise<number> {
  await stepAsync(w);
  await drain();
  const t0 = performance.now();
  let n = 0;
  while (n < 3 || performance.now() - t0 < seconds * 1000) {
    await stepAsync(w);
    n++;
  }
  await drain();
  return (performance.now() - t0) / 1000 / n;
}

/** FLOPs of a GRU layer's GEMMs over `rows` packed rows, forward only. */
const gruFlops = (rows: number, E: number, H: number): number => 2 * rows * 3 * H * (E + H);
/** The same for a stack: layer 0 reads E inputs, the others the H outputs below. */
const stackFlops = (rows: number, { E, H, layers }: GruShape): number => gruFlops(rows, E, H) + (layers - 1) * gruFlops(rows, H, H);

/** Each parameter's gradient after one run() (zeros where none), then cleared. */
async function gradientsAfter(run: () => void, opt: Adam): Promise<Float32Array[]> {
  run();
  const grads = await Promise.all(opt.params.map((p) => (p.grad ? p.grad.float32Data() : new Float32Array(p.size))));
  opt.zeroGrad();
  return grads;
}

function randomTensor(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  ).keep();
}

/**
 * Lengths drawn like the challenge's events per client (median 2, p90 18, p99 119): a
 * rounded log-normal with median 2 and σ 1.72, capped at 128 (gives p90 18, p99 105).
 */
export function challengeLengths(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.max(1, Math.min(128, Math.round(2 * Math.exp(1.72 * rng.normal())))));
}

/** W1, W4, S1, S1c: a GRU stack over packed sequences of these lengths, forward + backward + Adam. */
export function trainingStep(shape: GruShape, lengths: number[]): Workload {
  manualSeed(1);
  const layout = PackedLayout.fromLengths(lengths),
    rng = new Rng(2);
  const gru = new GRU(shape.E, shape.H, { layers: shape.layers });
  const opt = new Adam(gru.parameters(), { lr: 1e-3 });
  const x = randomTensor([layout.total, shape.E], rng);
  const run = (): void => tidy(() => backward(ops.mean(gru.forward(x, layout).output)));
  return {
    seqs: lengths.length,
    flops: 3 * stackFlops(layout.total, shape),
    run,
    opt,
    values: () => gradientsAfter(run, opt),
    dispose: () => {
      x.dispose();
      opt.dispose();
      gru.dispose();
    },
  };
}

/** W2: embedding 20,000×64 → GRU encoder → final state → GRU decoder (teacher forcing) → linear → cross-entropy. */
export function autoencoderStep(): Workload {
  manualSeed(1);
  const V = 20000,
    E = 64,
    H = 256,
    B = 128,
    T = 32,
    rng = new Rng(3);
  const emb = new Embedding(V, E),
    enc = new GRU(E, H),
    dec = new GRU(E, H),
    head = new Linear(H, V);
  const opt = new Adam([...emb.parameters(), ...enc.parameters(), ...dec.parameters(), ...head.parameters()], { lr: 1e-3 });
  const seqs = Array.from({ length: B }, () => Array.from({ length: T }, () => 3 + rng.int(V - 3)));
  const { ids, layout } = PackedLayout.packIds(seqs);
  const prev = PackedLayout.packIds(seqs.map((s) => [1, ...s.slice(0, -1)])).ids; // start token, then shifted
  const inputs = tensor(ids).keep(),
    decoderInputs = tensor(prev).keep();
  const run = (): void =>
    tidy(() => {
      const { hn } = enc.forward(emb.forward(inputs), layout);
      const { output } = dec.forward(emb.forward(decoderInputs), layout, hn);
      backward(ops.softmaxCrossEntropy(head.forward(output), inputs));
    });
  return {
    seqs: B,
    flops: 3 * (2 * gruFlops(layout.total, E, H) + 2 * layout.total * H * V),
    run,
    opt,
    values: () => gradientsAfter(run, opt),
    dispose: () => {
      inputs.dispose();
      decoderInputs.dispose();
      opt.dispose();
      for (const m of [emb, enc, dec, head]) m.dispose();
    },
  };
}

/** W3, S1i: a GRU stack's inference over B sequences of length T. */
export function inferenceStep(shape: GruShape, B: number, T: number): Workload {
  manualSeed(1);
  const layout = PackedLayout.fromLengths(new Array(B).fill(T));
  const gru = new GRU(shape.E, shape.H, { layers: shape.layers }).eval();
  const x = randomTensor([layout.total, shape.E], new Rng(4));
  const forward = (): Tensor => noGrad(() => tidy(() => gru.forward(x, layout).output));
  return {
    seqs: B,
    flops: stackFlops(layout.total, shape),
    run: () => forward().dispose(),
    opt: null,
    values: async () => {
      const out = forward();
      try {
        return [await out.float32Data()];
      } finally {
        out.dispose();
      }
    },
    dispose: () => {
      x.dispose();
      gru.dispose();
    },
  };
}

export const WORKLOADS: Record<string, () => Workload> = {
  W1: () => trainingStep(W_SHAPE, new Array(256).fill(64)),
  W2: autoencoderStep,
  W3: () => inferenceStep(W_SHAPE, 1024, 64),
  W4: () => trainingStep(W_SHAPE, lengthsOf('W4')!),
};

/**
 * System 1's configuration at `shape` (S1_SHAPE; smaller in smoke tests), batch 256: S1 trains
 * on length 128, S1c on challenge-like lengths (W4's), S1i is S1's inference. Not in WORKLOADS:
 * far too slow for the cpu suite (bench/gru.ts); the GPU benchmark runs them.
 */
export function systemOne(shape: GruShape): Record<string, () => Workload> {
  return {
    S1: () => trainingStep(shape, new Array(256).fill(128)),
    S1c: () => trainingStep(shape, lengthsOf('S1c')!),
    S1i: () => inferenceStep(shape, 256, 128),
  };
}

/** The lengths of a workload whose lengths vary (W4, S1c: the same draw), which the PyTorch side is given; null for the others. */
export function lengthsOf(name: string): number[] | null {
  return name === 'W4' || name === 'S1c' ? challengeLengths(256, 7) : null;
}

/** Workload `name` of `workloads` built on `backend` (its tensors live there). */
export const build = (backend: string, name: string, workloads = WORKLOADS): Promise<Workload> => onBackend(backend, async () => workloads[name]!());
