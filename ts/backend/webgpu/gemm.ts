// GEMM on webgpu (kernels/gemm.wgsl): the tile shape of each product is the largest of
// GEMM_TILES that still gives the GPU enough workgroups to fill it; small products (a GRU
// step's rows, a head) keep 32×32 tiles.
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

let forced: GemmTile | null = null;

/** Every GEMM with this tile shape (tests, benchmarks); null: chosen by size again. */
export function useGemmTile(t: GemmTile | null): void {
  forced = t;
}

function gemmTile(M: number, N: number): GemmTile {
  return forced ?? GEMM_TILES.find((t) => Math.ceil(M / t.BM) * Math.ceil(N / t.BN) >= MIN_GROUPS) ?? GEMM_TILES[GEMM_TILES.length - 1]!;
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
  const t = gemmTile(params.M, params.N);
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
