import { createRequire } from 'node:module';
import { findAddonFile } from './addon_path.js';

/** Storage ids are plain numbers; every function validates its arguments natively. */
export interface NativeAddon extends NativeKernels {
  /** A new storage; zero-filled when `zero`, else its contents are unspecified. */
  alloc(bytes: number, zero: boolean): number;
  free(id: number): boolean;
  write(id: number, data: ArrayBufferView, byteOffset: number): void;
  read(id: number, out: ArrayBufferView, byteOffset: number): void;
  /** Live storages, and freed blocks kept for reuse (see native/napi/storage.h). */
  stats(): { liveBytes: number; liveCount: number; cachedBytes: number; cacheLimit: number; scratchBytes: number };
  setCacheLimit(bytes: number): void;
  /** Returns cached storages and pooled kernel scratch to the OS. */
  emptyCache(): void;
  setThreads(n: number): void;
  threads(): number;
  isa(): { active: string; best: string };
  setIsa(isa: 'avx512' | 'avx2' | 'scalar'): void;
  /** Measured FP32 peak (independent FMA chains) over `threads` threads (0 = all). */
  peakGflops(seconds: number, threads: number): number;
}

/**
 * The kernel entry points, the same in every native addon (cpu: seqcore.node; cuda:
 * seqcore_cuda.node): native/napi/ checks their arguments once for both.
 */
export interface NativeKernels {
  /** Copies `bytes` bytes from storage src to storage dst. */
  copy(src: number, dst: number, bytes: number): void;
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    a: number,
    aOffset: number,
    lda: number,
    b: number,
    bOffset: number,
    ldb: number,
    beta: number,
    c: number,
    cOffset: number,
    ldc: number,
  ): void;
  binary(op: number, a: number, b: number, out: number, n: number): void;
  scale(x: number, s: number, out: number, n: number): void;
  axpy(alpha: number, x: number, y: number, n: number): void;
  fill(out: number, value: number, n: number): void;
  /** out = s·g[0] */
  broadcastScalar(g: number, s: number, out: number, n: number): void;
  addBias(x: number, bias: number, out: number, rows: number, D: number): void;
  sumRows(x: number, out: number, rows: number, D: number): void;
  unary(op: number, x: number, y: number, n: number): void;
  unaryGrad(op: number, x: number, y: number, dy: number, dx: number, n: number): void;
  layernorm(x: number, gamma: number, beta: number, y: number, mean: number, rstd: number, rows: number, D: number, eps: number): void;
  layernormGrad(dy: number, x: number, gamma: number, mean: number, rstd: number, dx: number, dgamma: number, dbeta: number, rows: number, D: number): void;
  dropout(x: number, y: number, mask: number, n: number, p: number, seed: number): void;
  dropoutGrad(dy: number, mask: number, dx: number, n: number, p: number): void;
  embeddingGather(table: number, V: number, E: number, ids: number, n: number, out: number): void;
  embeddingScatterAdd(dy: number, ids: number, n: number, E: number, dtable: number, V: number): void;
  concat(parts: number[], widths: number[], out: number, rows: number): void;
  split(x: number, parts: number[], widths: number[], rows: number): void;
  /** out[0] = Σ x, Σ x² */
  sum(x: number, n: number, out: number): void;
  sumSquares(x: number, n: number, out: number): void;
  firstNonFinite(x: number, n: number): number;
  /** loss[0] = mean over counted rows, count[0] = rows whose target is not `ignore`. */
  softmaxXent(logits: number, targets: number, lse: number, N: number, C: number, ignore: number, loss: number, count: number): void;
  softmaxXentGrad(logits: number, targets: number, lse: number, count: number, dloss: number, dlogits: number, N: number, C: number, ignore: number): void;
  softmax(x: number, y: number, N: number, C: number): void;
  softmaxGrad(y: number, dy: number, dx: number, N: number, C: number): void;
  /** out[0] = mean (a − b)²; the grad reads dout[0]. */
  mse(a: number, b: number, n: number, out: number): void;
  mseGrad(a: number, b: number, dout: number, da: number | null, db: number | null, n: number): void;
  cosine(a: number, b: number, out: number, N: number, D: number, eps: number): void;
  cosineGrad(a: number, b: number, dout: number, da: number | null, db: number | null, N: number, D: number, eps: number): void;
  /** out[0..2) = [norm, clip factor] of the k sums of squares (Kernels.gradClip); maxNorm may be Infinity. */
  gradClip(sumsOfSquares: number, k: number, maxNorm: number, out: number): void;
  /**
   * Adam/AdamW on tensor t = (params[t], grads[t], ms[t], vs[t]) of n[t] floats each, the gradients
   * scaled by clip[1] (gradClip's out); nothing is written when it is not finite.
   */
  adamSteps(
    params: number[],
    grads: number[],
    ms: number[],
    vs: number[],
    n: number[],
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: boolean,
    step: number,
    clip: number,
  ): void;
  cast(kind: string, x: number, y: number, n: number): void;
  /** out[0] = mean loss; the grad reads dout[0]. */
  bceLogits(x: number, y: number, n: number, out: number): void;
  /** One implicit-ALS half step: X (rows×K, storage) against Y (cols×K, storage). */
  alsHalfStep(
    indptr: BigInt64Array,
    indices: Int32Array,
    values: Float32Array,
    rows: number,
    Y: number,
    cols: number,
    X: number,
    K: number,
    lambda: number,
    cgSteps: number,
  ): void;
  bceLogitsGrad(x: number, y: number, dout: number, dx: number, n: number): void;
  packPadded(padded: number, Tpad: number, E: number, batchSizes: Int32Array, sortedIndices: Int32Array, packed: number): void;
  unpackPadded(packed: number, Tpad: number, E: number, batchSizes: Int32Array, sortedIndices: Int32Array, padded: number): void;
  gruForward(
    x: number,
    E: number,
    H: number,
    L: number,
    wIh: number[],
    wHh: number[],
    bIh: number[],
    bHh: number[],
    h0: number | null,
    batchSizes: Int32Array,
    sortedIndices: Int32Array,
    dropout: number,
    seed: number,
    save: boolean,
    workspace: number,
    out: number,
    hn: number,
  ): void;
  gruBackward(
    x: number,
    E: number,
    H: number,
    L: number,
    wIh: number[],
    wHh: number[],
    h0: number | null,
    batchSizes: Int32Array,
    sortedIndices: Int32Array,
    dropout: number,
    workspace: number,
    out: number,
    dout: number | null,
    dhn: number | null,
    dx: number | null,
    dwIh: number[],
    dwHh: number[],
    dbIh: number[],
    dbHh: number[],
    dh0: number | null,
  ): void;
  gruWorkspaceFloats(L: number, total: number, H: number, save: boolean, dropout: boolean): number;
  attention(
    qkv: number,
    D: number,
    heads: number,
    causal: boolean,
    batchSizes: Int32Array,
    sortedIndices: Int32Array,
    dropout: number,
    seed: number,
    out: number,
    probs: number,
  ): void;
  attentionGrad(
    qkv: number,
    probs: number,
    dout: number,
    D: number,
    heads: number,
    causal: boolean,
    batchSizes: Int32Array,
    sortedIndices: Int32Array,
    dropout: number,
    seed: number,
    dqkv: number,
  ): void;
}

/**
 * The addon, or, when it cannot load (missing, built for another Node or platform), a stand-in
 * whose every use throws the reason: importing seqcore must still work, so that a backend that
 * needs no cpu addon (webgpu) runs, and the cpu backend's error says what failed.
 */
function loadAddon(): NativeAddon {
  try {
    const found = findAddonFile('seqcore.node', 'SEQCORE_NATIVE_ADDON');
    if ('error' in found) throw new Error(found.error);
    return createRequire(import.meta.url)(found.path) as NativeAddon;
  } catch (e) {
    const reason = `seqcore: the cpu backend's native addon is not available: ${(e as Error).message}`;
    return new Proxy({} as NativeAddon, {
      get: (_, key) => {
        if (typeof key === 'symbol' || key === 'then') return undefined; // inspection, await
        throw new Error(reason);
      },
    });
  }
}

export const native: NativeAddon = loadAddon();
