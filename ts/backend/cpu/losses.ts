import { native } from '../../native.js';
import { registerKernels } from '../registry.js';
import { readScalar, sid, writeScalar } from './backend.js';
import { rowsCols } from '../backend.js';

registerKernels('cpu', {
  softmaxXent(logits, targets, lse, loss, count, ignore) {
    const [N, C] = rowsCols(logits);
    const r = native.softmaxXent(sid(logits), sid(targets), sid(lse), N, C, ignore);
    writeScalar(loss, r.count > 0 ? r.loss / r.count : 0);
    writeScalar(count, r.count);
  },
  softmaxXentGrad(logits, targets, lse, count, dloss, dlogits, ignore) {
    const [N, C] = rowsCols(logits);
    const n = readScalar(count);
    native.softmaxXentGrad(sid(logits), sid(targets), sid(lse), sid(dlogits), N, C, ignore, n > 0 ? readScalar(dloss) / n : 0);
  },
  softmax: (x, y) => native.softmax(sid(x), sid(y), ...rowsCols(x)),
  softmaxGrad: (y, dy, dx) => native.softmaxGrad(sid(y), sid(dy), sid(dx), ...rowsCols(y)),
  mse: (a, b, out) => writeScalar(out, a.size > 0 ? native.squaredError(sid(a), sid(b), a.size) / a.size : 0),
  mseGrad(a, b, dout, da, db) {
    const scale = a.size > 0 ? readScalar(dout) / a.size : 0;
    native.squaredErrorGrad(sid(a), sid(b), da && sid(da), db && sid(db), a.size, scale);
  },
  bceLogits: (x, y, out) => writeScalar(out, x.size > 0 ? native.bceLogits(sid(x), sid(y), x.size) / x.size : 0),
  bceLogitsGrad: (x, y, dout, dx) => native.bceLogitsGrad(sid(x), sid(y), sid(dx), x.size, x.size > 0 ? readScalar(dout) / x.size : 0),
  cosine(a, b, out, eps) {
    const [N, D] = rowsCols(a);
    native.cosine(sid(a), sid(b), sid(out), N, D, eps);
  },
  cosineGrad(a, b, dout, da, db, eps) {
    const [N, D] = rowsCols(a);
    native.cosineGrad(sid(a), sid(b), sid(dout), da && sid(da), db && sid(db), N, D, eps);
  },
});
