// The GRU workloads W1–W4 of the gru suite, built from seqcore's public API. bench/torch_ref.py
// builds the same ones with torch.nn.GRU.
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
  dispose(): void;
}

/** One step on a backend that reads synchronously (cpu). */
export function step(w: Workload): void {
  w.run();
  w.opt?.step();
  w.opt?.zeroGrad();
}

/** One step on any backend (webgpu reads only asynchronously). */
export async function stepAsync(w: Workload): Promise<void> {
  w.run();
  await w.opt?.stepAsync();
  w.opt?.zeroGrad();
}

/**
 * Seconds per step: a warm-up step, then steps until `seconds` have passed (at least 3), with
 * the device's queue drained before the clock starts and before it stops.
 */
export async function time(w: Workload, seconds: number, drain: () => Promise<void>): Promise<number> {
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

function randomTensor(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => rng.normal()), shape).keep();
}

/**
 * Lengths drawn like the challenge's events per client (median 2, p90 18, p99 119): a
 * rounded log-normal with median 2 and σ 1.72, capped at 128 (gives p90 18, p99 105).
 */
export function challengeLengths(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.max(1, Math.min(128, Math.round(2 * Math.exp(1.72 * rng.normal())))));
}

/** W1 (and W4 with lengths): GRU 64→256, forward + backward + Adam. */
export function trainingStep(lengths: number[]): Workload {
  manualSeed(1);
  const E = 64, H = 256, layout = PackedLayout.fromLengths(lengths), rng = new Rng(2);
  const gru = new GRU(E, H);
  const opt = new Adam(gru.parameters(), { lr: 1e-3 });
  const x = randomTensor([layout.total, E], rng);
  return {
    seqs: lengths.length,
    flops: 3 * gruFlops(layout.total, E, H),
    run: () => tidy(() => backward(ops.mean(gru.forward(x, layout).output))),
    opt,
    dispose: () => { x.dispose(); opt.dispose(); gru.dispose(); },
  };
}

/** W2: embedding 20,000×64 → GRU encoder → final state → GRU decoder (teacher forcing) → linear → cross-entropy. */
export function autoencoderStep(): Workload {
  manualSeed(1);
  const V = 20000, E = 64, H = 256, B = 128, T = 32, rng = new Rng(3);
  const emb = new Embedding(V, E), enc = new GRU(E, H), dec = new GRU(E, H), head = new Linear(H, V);
  const opt = new Adam([...emb.parameters(), ...enc.parameters(), ...dec.parameters(), ...head.parameters()], { lr: 1e-3 });
  const seqs = Array.from({ length: B }, () => Array.from({ length: T }, () => 3 + rng.int(V - 3)));
  const { ids, layout } = PackedLayout.packIds(seqs);
  const prev = PackedLayout.packIds(seqs.map((s) => [1, ...s.slice(0, -1)])).ids; // start token, then shifted
  const inputs = tensor(ids).keep(), decoderInputs = tensor(prev).keep();
  return {
    seqs: B,
    flops: 3 * (2 * gruFlops(layout.total, E, H) + 2 * layout.total * H * V),
    run: () => tidy(() => {
      const { hn } = enc.forward(emb.forward(inputs), layout);
      const { output } = dec.forward(emb.forward(decoderInputs), layout, hn);
      backward(ops.softmaxCrossEntropy(head.forward(output), inputs));
    }),
    opt,
    dispose: () => { inputs.dispose(); decoderInputs.dispose(); opt.dispose(); for (const m of [emb, enc, dec, head]) m.dispose(); },
  };
}

/** W3: encoder inference, batch 1024, length 64. */
export function inferenceStep(): Workload {
  manualSeed(1);
  const E = 64, H = 256, B = 1024, T = 64, layout = PackedLayout.fromLengths(new Array(B).fill(T));
  const gru = new GRU(E, H).eval();
  const x = randomTensor([layout.total, E], new Rng(4));
  return {
    seqs: B,
    flops: gruFlops(layout.total, E, H),
    run: () => noGrad(() => tidy(() => { gru.forward(x, layout); })),
    opt: null,
    dispose: () => { x.dispose(); gru.dispose(); },
  };
}

export const WORKLOADS: Record<string, () => Workload> = {
  W1: () => trainingStep(new Array(256).fill(64)),
  W2: autoencoderStep,
  W3: inferenceStep,
  W4: () => trainingStep(lengthsOf('W4')!),
};

/** The lengths of a workload whose lengths vary (W4), which the PyTorch side is given; null for the others. */
export function lengthsOf(name: string): number[] | null {
  return name === 'W4' ? challengeLengths(256, 7) : null;
}

/** Workload `name` built on `backend` (its tensors live there). */
export const build = (backend: string, name: string): Promise<Workload> => onBackend(backend, async () => WORKLOADS[name]!());
