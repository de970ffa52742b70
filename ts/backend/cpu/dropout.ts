import { native } from '../../native.js';
import { registerKernels } from '../registry.js';
import { sid } from './backend.js';

registerKernels('cpu', {
  dropout: (x, y, mask, p, seed) => native.dropout(sid(x), sid(y), sid(mask), x.size, p, seed),
  dropoutGrad: (dy, mask, dx, p) => native.dropoutGrad(sid(dy), sid(mask), sid(dx), dx.size, p),
});
