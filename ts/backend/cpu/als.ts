import { native } from '../../native.js';
import { registerKernels } from '../registry.js';
import { sid } from './backend.js';

registerKernels('cpu', {
  alsHalfStep: (m, Y, X, lambda, cgSteps) =>
    native.alsHalfStep(m.indptr, m.indices, m.values, m.rows, sid(Y), Y.shape[0]!, sid(X), X.shape[1]!, lambda, cgSteps),
});
