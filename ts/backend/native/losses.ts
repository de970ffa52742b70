import { registerKernels } from '../registry.js';
import { rowsCols } from '../backend.js';
import type { NativeKernels } from '../../native.js';
import { sid } from './storage.js';

export function registerLosses(backend: string, native: NativeKernels): void {
  registerKernels(backend, {
    softmaxXent(logits, targets, lse, loss, count, ignore) {
      const [N, C] = rowsCols(logits);
      native.softmaxXent(sid(logits), sid(targets), sid(lse), N, C, ignore, sid(loss), sid(count));
    },
    softmaxXentGrad(logits, targets, lse, count, dloss, dlogits, ignore) {
      const [N, C] = rowsCols(logits);
      native.softmaxXentGrad(sid(logits), sid(targets), sid(lse), sid(count), sid(dloss), sid(dlogits), N, C, ignore);
    },
    softmax: (x, y) => native.softmax(sid(x), sid(y), ...rowsCols(x)),
    softmaxGrad: (y, dy, dx) => native.softmaxGrad(sid(y), sid(dy), sid(dx), ...rowsCols(y)),
    mse: (a, b, out) => native.mse(sid(a), sid(b), a.size, sid(out)),
    mseGrad: (a, b, dout, da, db) => native.mseGrad(sid(a), sid(b), sid(dout), da && sid(da), db && sid(db), a.size),
    bceLogits: (x, y, out) => native.bceLogits(sid(x), sid(y), x.size, sid(out)),
    bceLogitsGrad: (x, y, dout, dx) => native.bceLogitsGrad(sid(x), sid(y), sid(dout), sid(dx), x.size),
    cosine(a, b, out, eps) {
      const [N, D] = rowsCols(a);
      native.cosine(sid(a), sid(b), sid(out), N, D, eps);
    },
    cosineGrad(a, b, dout, da, db, eps) {
      const [N, D] = rowsCols(a);
      native.cosineGrad(sid(a), sid(b), sid(dout), da && sid(da), db && sid(db), N, D, eps);
    },
  });
}
