// One fused Adam / AdamW step, as native/cpu/adam.cc (torch.optim.Adam / AdamW), in float64.
import { registerKernels, type AdamOptions } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData } from './backend.js';

function adamStep(p: Tensor, g: Tensor, m: Tensor, v: Tensor, o: AdamOptions): void {
  const n = p.size;
  if (g.size !== n || m.size !== n || v.size !== n)
    throw new TypeError(`reference adamStep: sizes differ (${[p, g, m, v].map((t) => t.describe()).join(', ')})`);
  const P = refData(p), G = refData(g), M = refData(m), V = refData(v);
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  const stepSize = o.lr / bc1;
  const sqrtBc2 = Math.sqrt(bc2);
  const decay = o.decoupled ? 1 - o.lr * o.weightDecay : 1;
  const l2 = o.decoupled ? 0 : o.weightDecay;
  for (let i = 0; i < n; i++) {
    const gi = G[i]! * o.gradScale + l2 * P[i]!;
    M[i] = o.beta1 * M[i]! + (1 - o.beta1) * gi;
    V[i] = o.beta2 * V[i]! + (1 - o.beta2) * gi * gi;
    P[i] = P[i]! * decay - (stepSize * M[i]!) / (Math.sqrt(V[i]!) / sqrtBc2 + o.eps);
  }
}

registerKernels('reference', { adamStep });
