import { native } from '../../native.js';
import { registerKernels } from '../registry.js';
import { sid, writeScalar } from './backend.js';

registerKernels('cpu', {
  sum: (x, out) => writeScalar(out, native.sum(sid(x), x.size)),
  sumSquares: (x, out) => writeScalar(out, native.sumSquares(sid(x), x.size)),
  firstNonFinite: (x) => native.firstNonFinite(sid(x), x.size),
});
