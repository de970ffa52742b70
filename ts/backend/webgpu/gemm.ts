// GEMM on webgpu (kernels/gemm.wgsl): the tile shape of each product is the one measured
// fastest on this adapter for the nearest tuned size (gemm_tune.ts, `seqcore doctor --tune`),
// or, untuned, the largest of GEMM_TILES that still gives the GPU enough workgroups to fill
// it; small products (a GRU step's rows, a head) keep 32×32 tiles.
import { registerKernels } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { gpu, type WebGpuBackend } from './backend.js';

/** Tile shapes (kernels/gemm.wgsl's override constants), largest first: BM×BN per workgroup, TM×TN per invocation. */
export const GEMM_TILES = [
  { BM: 128, BN: 64, TM: 8, TN: 8 },
  { BM: 64, BN: 64, TM: 4, TN: 8 },
  { BM: 32, BN: 32, TM: 4, TN: 2 },
] as const;
export type GemmTile = (typeof GEMM_TILES)[number];

/** Workgroups a tile shape must give to be chosen: enough to keep a large GPU's compute units busy. */
const MIN_GROUPS = 256;

/** The tile measured fastest for one product size on this adapter. */
export interface TunedTile {
  M: number;
  N: number;
  K: number;
  tile: GemmTile;
}

let forced: GemmTile | null = null;
let tuned: readonly TunedTile[] = [];

/** Every GEMM with this tile shape (tests, benchmarks, the tuner); null: chosen by size again. */
export function useGemmTile(t: GemmTile | null): void {
  forced = t;
}

/** The tuned tiles GEMMs choose from (the nearest size's); [] goes back to the workgroup-count rule. */
export function useTunedGemmTiles(t: readonly TunedTile[]): void {
  tuned = t;
}

/** The tile an M×N×K product runs with: forced, else the tuned one of the size nearest in log scale, else by workgroup count. */
export function gemmTileFor(M: number, N: number, K: number): GemmTile {
  if (forced) return forced;
  if (tuned.length) {
    const far = (t: TunedTile): number => Math.abs(Math.log2(M / t.M)) + Math.abs(Math.log2(N / t.N)) + Math.abs(Math.log2(K / t.K));
    return tuned.reduce((a, t) => (far(t) < far(a) ? t : a)).tile;
  }
  return GEMM_TILES.find((t) => Math.ceil(M / t.BM) * Math.ceil(N / t.BN) >= MIN_GROUPS) ?? GEMM_TILES[GEMM_TILES.length - 1]!;
}

/** kernels/gemm.wgsl's Params (a type, not an interface, so that it is a Uniforms). */
export type GemmParams = {
  M: number;
  N: number;
  K: number;
  ta: number;
  tb: number;
  lda: number;
  ldb: number;
  oa: number;
  alpha: number;
  beta: number;
  ob: number;
  oc: number;
};

/** One dispatch of kernels/gemm.wgsl's `entry` (gemm, or gemm_at with offsets) for c (M×N). */
export function dispatchGemm(be: WebGpuBackend, entry: 'gemm' | 'gemm_at', tensors: readonly Tensor[], params: GemmParams): void {
  const t = gemmTileFor(params.M, params.N, Math.max(1, params.K));
  be.dispatch('gemm', entry, tensors, params, [Math.ceil(params.N / t.BN), Math.ceil(params.M / t.BM)], { ...t });
}

registerKernels('webgpu', {
  gemm(a, b, c, o) {
    const [M, N] = c.shape as [number, number];
    const K = o.transA ? a.shape[0]! : a.shape[1]!;
    // The entry point gemm reads no offsets (oa, ob, oc).
    const params = { M, N, K, ta: +o.transA, tb: +o.transB, lda: a.shape[1]!, ldb: b.shape[1]!, oa: 0, alpha: o.alpha, beta: o.beta, ob: 0, oc: 0 };
    dispatchGemm(gpu(c), 'gemm', [a, b, c], params);
  },
});
