// The reference backend: registers the backend and all its kernels (import for side effects).
import './backend.js';
import './gemm.js';
import './elementwise.js';
import './layernorm.js';
import './dropout.js';
import './embedding.js';
import './shape.js';
import './reduce.js';
import './losses.js';
import './adam.js';
import './sequence.js';
import './attention.js';
import './als.js';

export { refData, refData64, referenceBackend, ReferenceBackend, RefStorage } from './backend.js';
export { dropoutUniform } from './dropout.js';
export { erf, erfc } from './erf.js';
