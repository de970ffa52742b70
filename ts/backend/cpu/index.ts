// The native CPU backend: importing this module registers the backend and its kernels.
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
import './als.js';

export { native } from '../../native.js';
