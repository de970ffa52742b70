// Every webgpu kernel module; importing this registers them (ts/backend/registry.ts).
import './elementwise.js';
import './gemm.js';
import './reduce.js';
