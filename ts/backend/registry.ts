import type { PackedLayout } from '../sequence/layout.js';
import type { Tensor } from '../tensor.js';
import { getBackend } from './backend.js';
import { activeProfiler } from '../profile.js';

/** A sparse matrix by rows (CSR): row i's entries are indptr[i] … indptr[i+1] − 1. */
export interface SparseRows {
  rows: number;
  indptr: BigInt64Array;
  indices: Int32Array;
  values: Float32Array;
}

export type BinaryName = 'add' | 'sub' | 'mul';
export type UnaryName = 'sigmoid' | 'tanh' | 'relu' | 'gelu';

export interface GemmOptions {
  transA: boolean;
  transB: boolean;
  alpha: number;
  /** 0 overwrites c (never reads it); 1 accumulates into c. */
  beta: number;
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW (decoupled weight decay) when true, Adam's L2 term when false. */
  decoupled: boolean;
  /** 1-based step count, for bias correction. */
  step: number;
}

/** A multi-layer GRU's parameters, PyTorch's layout: layer l has W_ih (3H×E_l), W_hh (3H×H), b_ih, b_hh (3H). */
export interface GruParams {
  wIh: readonly Tensor[];
  wHh: readonly Tensor[];
  bIh: readonly Tensor[];
  bHh: readonly Tensor[];
}

/**
 * Every kernel a backend may implement, in destination-passing style: the op layer
 * (ts/ops) checks shapes and dtypes and allocates outputs; a kernel only computes.
 * Shapes below use N rows × D for "the last axis is D, all others flattened".
 */
export interface Kernels {
  /** Floats of the workspace this backend's gruForward/gruBackward use (their own layout). */
  gruWorkspaceFloats(layers: number, total: number, hidden: number, save: boolean, dropout: boolean): number;
  /** Floats of the softmax weights this backend's attention keeps for attentionGrad. */
  attentionProbFloats(layout: PackedLayout, heads: number): number;
  /** c (M×N) = alpha·op(a)·op(b) + beta·c, all 2-D float32. */
  gemm(a: Tensor, b: Tensor, c: Tensor, o: GemmOptions): void;
  binary(op: BinaryName, a: Tensor, b: Tensor, out: Tensor): void;
  scale(x: Tensor, s: number, out: Tensor): void;
  /** y += alpha·x */
  axpy(alpha: number, x: Tensor, y: Tensor): void;
  fill(out: Tensor, value: number): void;
  /** out = s·g[0] everywhere, where g is a one-element tensor (the backward of sum/mean). */
  broadcastScalar(g: Tensor, s: number, out: Tensor): void;
  /** out (N×D) = x (N×D) + bias (D) */
  addBias(x: Tensor, bias: Tensor, out: Tensor): void;
  /** out (D) = Σ over rows of x (N×D) */
  sumRows(x: Tensor, out: Tensor): void;
  unary(op: UnaryName, x: Tensor, y: Tensor): void;
  /** dx = dy·f'(x); sigmoid and tanh read y = f(x), relu and gelu read x. */
  unaryGrad(op: UnaryName, x: Tensor, y: Tensor, dy: Tensor, dx: Tensor): void;
  /** x, y: N×D; gamma, beta: D; mean, rstd: N (saved for backward). */
  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, y: Tensor, mean: Tensor, rstd: Tensor, eps: number): void;
  layerNormGrad(dy: Tensor, x: Tensor, gamma: Tensor, mean: Tensor, rstd: Tensor, dx: Tensor, dgamma: Tensor, dbeta: Tensor): void;
  /** mask: uint8, 1 where kept; element i kept iff dropoutUniform(seed, i) >= p. */
  dropout(x: Tensor, y: Tensor, mask: Tensor, p: number, seed: number): void;
  dropoutGrad(dy: Tensor, mask: Tensor, dx: Tensor, p: number): void;
  /** table: V×E; ids: int32 (n); out: n×E. Ids outside [0, V) are an error. */
  embeddingGather(table: Tensor, ids: Tensor, out: Tensor): void;
  /** dtable (V×E) += scatter of dy (n×E) by ids */
  embeddingScatterAdd(dy: Tensor, ids: Tensor, dtable: Tensor): void;
  /** Along the last axis: parts N×D_i → out N×ΣD_i, and back. */
  concat(parts: readonly Tensor[], out: Tensor): void;
  split(x: Tensor, parts: readonly Tensor[]): void;
  /** out (one element) = Σ x, or Σ x² */
  sum(x: Tensor, out: Tensor): void;
  sumSquares(x: Tensor, out: Tensor): void;
  /** Index of the first NaN/Inf, or -1 (debug checks). */
  firstNonFinite(x: Tensor): number;
  /**
   * One implicit-ALS half step (Hu, Koren & Volinsky; conjugate-gradient solves): the factors
   * X (m.rows×K, updated in place as the warm start) of the rows of sparse m against fixed
   * column factors Y (cols×K); each row minimises Σ_j c_ij (1 − x·y_j)² over its observed
   * entries, c_ij = 1 + v_ij, plus Σ_other (x·y_j)² + λ‖x‖², with `cgSteps` CG iterations.
   */
  alsHalfStep(m: SparseRows, Y: Tensor, X: Tensor, lambda: number, cgSteps: number): void;
  /**
   * logits N×C, targets int32 N → loss (one element) = mean over rows whose target is not
   * `ignore` of -log softmax(logits)[target]; count (one element) = those rows; lse (N) saved.
   */
  softmaxXent(logits: Tensor, targets: Tensor, lse: Tensor, loss: Tensor, count: Tensor, ignore: number): void;
  /** dlogits = dloss[0]/count[0]·(softmax − onehot(target)), zero on ignored rows. */
  softmaxXentGrad(logits: Tensor, targets: Tensor, lse: Tensor, count: Tensor, dloss: Tensor, dlogits: Tensor, ignore: number): void;
  /** y (N×C) = softmax of each row of x (finite inputs; mask with −1e9); dx = y·(dy − Σ_row y·dy). */
  softmax(x: Tensor, y: Tensor): void;
  softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor): void;
  /** out (one element) = mean (a − b)² */
  mse(a: Tensor, b: Tensor, out: Tensor): void;
  mseGrad(a: Tensor, b: Tensor, dout: Tensor, da: Tensor | null, db: Tensor | null): void;
  /** out (one element) = mean binary cross-entropy of sigmoid(x) against targets y in [0, 1]. */
  bceLogits(x: Tensor, y: Tensor, out: Tensor): void;
  /** dx = dout[0]/n·(σ(x) − y) */
  bceLogitsGrad(x: Tensor, y: Tensor, dout: Tensor, dx: Tensor): void;
  /** a, b: N×D → out (N) = cosine similarity of rows, norms clamped below by eps. */
  cosine(a: Tensor, b: Tensor, out: Tensor, eps: number): void;
  cosineGrad(a: Tensor, b: Tensor, dout: Tensor, da: Tensor | null, db: Tensor | null, eps: number): void;
  /**
   * Global-norm gradient clipping, on the device: sumsOfSquares (k floats, each gradient's
   * Σ g²) → out (2 floats) = [norm, factor], norm = √Σ sumsOfSquares (float64, index order
   * where the backend has float64), factor = maxNorm/(norm + 1e-6) when norm > maxNorm
   * (maxNorm = Infinity: never), else 1; factor NaN when the norm is not finite.
   */
  gradClip(sumsOfSquares: Tensor, maxNorm: number, out: Tensor): void;
  /**
   * One fused Adam/AdamW step on every parameter tensor: params[t], ms[t], vs[t] updated in
   * place from grads[t] (equal lengths, each of params[t]'s size) times the factor clip[1]
   * (gradClip's out), read on the device; when it is not finite nothing is written, so a
   * NaN/Inf gradient never reaches the weights or the moments.
   */
  adamSteps(params: readonly Tensor[], grads: readonly Tensor[], ms: readonly Tensor[], vs: readonly Tensor[], o: AdamOptions, clip: Tensor): void;
  /** Converts between dtypes (float32↔float16, int32↔int64, int32→float32). */
  cast(x: Tensor, y: Tensor): void;
  copy(src: Tensor, dst: Tensor): void;
  /** padded (B×T×E, batch-first, T ≥ the longest) → packed (total×E). */
  packPadded(padded: Tensor, layout: PackedLayout, packed: Tensor): void;
  /** packed (total×E) → padded (B×T×E), zeros past each sequence's end. */
  unpackPadded(packed: Tensor, layout: PackedLayout, padded: Tensor): void;
  /**
   * x (total×E packed), h0 (L×B×H, input order) or null → out (total×H, the top layer),
   * hn (L×B×H); with `save` the workspace keeps what backward needs. Dropout p between
   * layers with masks drawn from dropoutUniform(seed + l, i).
   */
  gruForward(
    x: Tensor,
    w: GruParams,
    h0: Tensor | null,
    layout: PackedLayout,
    dropout: number,
    seed: number,
    save: boolean,
    workspace: Tensor,
    out: Tensor,
    hn: Tensor,
  ): void;
  /** Gradients (overwritten) from dout (total×H) and dhn (L×B×H); null where none. */
  /**
   * Multi-head self-attention within each sequence of a packed batch: qkv (total×3D, each
   * row [q | k | v], head h in columns h·D/heads … of each third) → out (total×D), with
   * P = softmax(q·kᵀ/√(D/heads)) over the keys a query sees (k ≤ t when causal, else the
   * whole sequence); probs (attentionProbFloats: heads·L² per sequence here) keeps P per sequence and head, row-major
   * L×L with unseen keys 0, in sorted (longest-first) sequence order. Attention dropout p:
   * out = (P ∘ M)·v with M_j = 1/(1−p) where dropoutUniform(seed, j) ≥ p for probs index j,
   * else 0; probs keeps P undropped.
   */
  attention(qkv: Tensor, layout: PackedLayout, heads: number, causal: boolean, dropout: number, seed: number, out: Tensor, probs: Tensor): void;
  /** dqkv (total×3D, overwritten) from dout (total×D) and the forward's probs; M redrawn from (seed, j). */
  attentionGrad(
    qkv: Tensor,
    probs: Tensor,
    dout: Tensor,
    layout: PackedLayout,
    heads: number,
    causal: boolean,
    dropout: number,
    seed: number,
    dqkv: Tensor,
  ): void;
  gruBackward(
    x: Tensor,
    w: GruParams,
    h0: Tensor | null,
    layout: PackedLayout,
    dropout: number,
    workspace: Tensor,
    out: Tensor,
    dout: Tensor | null,
    dhn: Tensor | null,
    dx: Tensor | null,
    dw: GruParams,
    dh0: Tensor | null,
  ): void;
}

export type KernelName = keyof Kernels;

const registry = new Map<string, Partial<Kernels>>();
/** Kernels that only compute a size: not timed by the profiler. */
const SIZE_QUERIES = new Set<KernelName>(['gruWorkspaceFloats', 'attentionProbFloats']);

/** Registers kernels of one backend; later registrations of the same op replace earlier ones. */
export function registerKernels(backend: string, kernels: Partial<Kernels>): void {
  registry.set(backend, { ...registry.get(backend), ...kernels });
}

/** The kernel of `op` for the backend `t` lives on (or the named backend). */
export function kernel<K extends KernelName>(op: K, on: Tensor | string): Kernels[K] {
  const name = typeof on === 'string' ? on : on.backend.name;
  const k = registry.get(name)?.[op];
  if (!k) throw new Error(`op '${op}' has no kernel on backend '${name}'`);
  const p = activeProfiler();
  if (!p || SIZE_QUERIES.has(op)) return k as Kernels[K];
  const backend = typeof on === 'string' ? getBackend(on) : on.backend;
  const f = k as (...args: unknown[]) => unknown;
  // Kernels that return a value (firstNonFinite) are host reads, timed like any other call.
  return ((...args: unknown[]) => {
    let r: unknown;
    p.run(op, backend as never, () => {
      r = f(...args);
    });
    return r;
  }) as Kernels[K];
}

export function hasKernel(op: KernelName, backend: string): boolean {
  return registry.get(backend)?.[op] !== undefined;
}

export function kernelNames(backend: string): KernelName[] {
  return Object.keys(registry.get(backend) ?? {}) as KernelName[];
}

export { getBackend };
