// GEMM on webgpu (kernels/gemm.wgsl): the tile shape of each product is the one measured
// fastest on this adapter for the nearest tuned size, when one is within an octave of it on
// every side (gemm_tune.ts, `seqcore doctor --tune`); else the largest of GEMM_TILES that
// still gives the GPU enough workgroups to fill it, so small products (a GRU step's rows, a
// head) keep 32×32 tiles.
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

/** Every GEMM with this tile shape (tests, benchmarks, the tuner); null: chosen by size again. Returns the tile forced before. */
export function useGemmTile(t: GemmTile | null): GemmTile | null {
  const before = forced;
  forced = t;
  return before;
}

/** The tuned tiles GEMMs choose from; [] goes back to the workgroup-count rule. Returns the ones used before. */
export function useTunedGemmTiles(t: readonly TunedTile[]): readonly TunedTile[] {
  const before = tuned;
  tuned = t;
  return before;
}

/**
 * The tile an M×N×K product runs with: forced; else the tuned one of the size nearest in log
 * scale, if within an octave on every side (a tuned 256³ says nothing of a GRU step's 12 rows);
 * else by workgroup count.
 */
export function gemmTileFor(M: number, N: number, K: number): GemmTile {
  if (forced) return forced;
  let nearest: TunedTile | null = null,
    least = Infinity;
  for (const t of tuned) {
    const octaves = [M / t.M, N / t.N, K / t.K].map((r) => Math.abs(Math.log2(r)));
    const far = octaves[0]! + octaves[1]! + octaves[2]!;
    if (octaves.every((o) => o <= 1) && far < least) [nearest, least] = [t, far];
  }
  if (nearest) return nearest.tile;
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
