// Global-norm clipping and the fused Adam / AdamW step, as native/cpu/adam.cc
// (torch.optim.Adam / AdamW), in float64.
import { registerKernels, type AdamOptions } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData } from './backend.js';

function gradClip(sumsOfSquares: Tensor, maxNorm: number, out: Tensor): void {
  const S = refData(sumsOfSquares),
    O = refData(out);
  let sum = 0;
  for (let i = 0; i < S.length; i++) sum += S[i]!;
  const norm = Math.sqrt(sum);
  O[0] = norm;
  O[1] = !Number.isFinite(norm) ? NaN : norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

function adamSteps(params: readonly Tensor[], grads: readonly Tensor[], ms: readonly Tensor[], vs: readonly Tensor[], o: AdamOptions, clip: Tensor): void {
  if (grads.length !== params.length || ms.length !== params.length || vs.length !== params.length)
    throw new TypeError(`reference adamSteps: ${params.length} params, ${grads.length} grads, ${ms.length} ms, ${vs.length} vs`);
  // Checked before anything is written.
  params.forEach((p, t) => {
    const all = [p, grads[t]!, ms[t]!, vs[t]!];
    if (all.some((x) => x.size !== p.size))
      throw new TypeError(`reference adamSteps: sizes of tensor ${t} differ (${all.map((x) => x.describe()).join(', ')})`);
  });
  const scale = refData(clip)[1]!;
  if (!Number.isFinite(scale)) return; // a NaN/Inf gradient: nothing is written
  const stepSize = o.lr / (1 - o.beta1 ** o.step);
  const sqrtBc2 = Math.sqrt(1 - o.beta2 ** o.step);
  const decay = o.decoupled ? 1 - o.lr * o.weightDecay : 1;
  const l2 = o.decoupled ? 0 : o.weightDecay;
  params.forEach((p, t) => {
    const P = refData(p),
      G = refData(grads[t]!),
      M = refData(ms[t]!),
      V = refData(vs[t]!);
    for (let i = 0; i < p.size; i++) {
      const gi = G[i]! * scale + l2 * P[i]!;
      M[i] = o.beta1 * M[i]! + (1 - o.beta1) * gi;
      V[i] = o.beta2 * V[i]! + (1 - o.beta2) * gi * gi;
      P[i] = P[i]! * decay - (stepSize * M[i]!) / (Math.sqrt(V[i]!) / sqrtBc2 + o.eps);
    }
  });
}

registerKernels('reference', { gradClip, adamSteps });
