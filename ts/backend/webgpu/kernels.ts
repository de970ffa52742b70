// Every webgpu kernel module; importing this registers them (ts/backend/registry.ts).
import './elementwise.js';
import './gemm.js';
import './reduce.js';
import './norm.js';
import './losses.js';
import './embedding.js';
import './shape.js';
import './pack.js';
import './adam.js';
import './gru.js';
import './attention.js';
