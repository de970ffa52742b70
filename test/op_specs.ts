// Every differentiable op, as (inputs, forward) pairs that the conformance suite
// (test/conformance/ops.ts) runs on every backend. Shapes are small and deliberately not
// powers of two.
import { ops, PackedLayout, type Tensor } from '../ts/index.js';
import type { InputSpec } from './numeric.js';

export interface OpSpec {
  name: string;
  inputs: InputSpec[];
  f: (xs: Tensor[]) => Tensor;
  /** A backend's (float32) vs the reference's (float64) forward tolerance; default 1e-5 abs + 1e-4 rel. */
  atol?: number;
  /** Skip finite differences (ops with kinks at the sampled points). */
  noFiniteDiff?: boolean;
}

const g = (...shape: number[]): InputSpec => ({ shape, grad: true });
const ids = (shape: number[], values: number[]): InputSpec => ({ shape, dtype: 'int32', data: values });

const LAYOUT = PackedLayout.fromLengths([2, 4, 1]); // total 7, sorted [1, 0, 2]
const GRU_LAYOUT = PackedLayout.fromLengths([3, 1, 4, 2]);
const ONES = PackedLayout.fromLengths([1, 1, 1]);
const flat = (t: Tensor): Tensor => ops.reshape(t, [1, t.size]);

/** GRU inputs: x (packed), then per layer wIh, wHh, bIh, bHh, then optionally h0. */
function gruSpec(name: string, layout: PackedLayout, E: number, H: number, L: number, opts: { h0?: boolean; dropout?: number } = {}): OpSpec {
  const layers: InputSpec[] = [];
  for (let l = 0; l < L; l++) layers.push(g(3 * H, l === 0 ? E : H), g(3 * H, H), g(3 * H), g(3 * H));
  const inputs = [g(layout.total, E), ...layers, ...(opts.h0 ? [g(L, layout.batch, H)] : [])];
  return {
    name,
    inputs,
    f: (xs) => {
      const pick = (k: number): Tensor[] => Array.from({ length: L }, (_, l) => xs[1 + 4 * l + k]!);
      const { output, hn } = ops.gru(
        xs[0]!,
        layout,
        { wIh: pick(0), wHh: pick(1), bIh: pick(2), bHh: pick(3) },
        {
          h0: opts.h0 ? xs[1 + 4 * L] : null,
          dropout: opts.dropout,
          seed: 1234,
        },
      );
      return ops.concat([flat(output), flat(hn)]);
    },
  };
}

/** selfAttention inputs: x (packed), wQkv, bQkv, wO, bO. */
function attentionSpec(name: string, layout: PackedLayout, D: number, heads: number, causal: boolean, dropout = 0): OpSpec {
  return {
    name,
    inputs: [g(layout.total, D), g(3 * D, D), g(3 * D), g(D, D), g(D)],
    f: ([x, wQkv, bQkv, wO, bO]) => ops.selfAttention(x!, layout, wQkv!, bQkv!, wO!, bO!, { heads, causal, dropout, seed: 77 }),
  };
}

export const OP_SPECS: OpSpec[] = [
  { name: 'matmul', inputs: [g(5, 7), g(7, 3)], f: ([a, b]) => ops.matmul(a!, b!) },
  { name: 'matmul transA', inputs: [g(7, 5), g(7, 3)], f: ([a, b]) => ops.matmul(a!, b!, { transA: true }) },
  { name: 'matmul transB', inputs: [g(5, 7), g(3, 7)], f: ([a, b]) => ops.matmul(a!, b!, { transB: true }) },
  { name: 'matmul transA transB', inputs: [g(7, 5), g(3, 7)], f: ([a, b]) => ops.matmul(a!, b!, { transA: true, transB: true }) },
  { name: 'linear (3-D input, bias)', inputs: [g(2, 3, 5), g(4, 5), g(4)], f: ([x, w, b]) => ops.linear(x!, w!, b!) },
  { name: 'linear (no bias)', inputs: [g(6, 5), g(4, 5)], f: ([x, w]) => ops.linear(x!, w!) },
  { name: 'add', inputs: [g(3, 4), g(3, 4)], f: ([a, b]) => ops.add(a!, b!) },
  { name: 'sub', inputs: [g(3, 4), g(3, 4)], f: ([a, b]) => ops.sub(a!, b!) },
  { name: 'mul', inputs: [g(3, 4), g(3, 4)], f: ([a, b]) => ops.mul(a!, b!) },
  { name: 'mul (same input twice)', inputs: [g(3, 4)], f: ([a]) => ops.mul(a!, a!) },
  { name: 'scale', inputs: [g(2, 5)], f: ([a]) => ops.scale(a!, -1.5) },
  { name: 'addBias', inputs: [g(2, 3, 4), g(4)], f: ([x, b]) => ops.addBias(x!, b!) },
  { name: 'reshape', inputs: [g(2, 6)], f: ([x]) => ops.sigmoid(ops.reshape(x!, [3, 4])) },
  { name: 'sigmoid', inputs: [g(4, 5)], f: ([x]) => ops.sigmoid(x!) },
  { name: 'tanh', inputs: [g(4, 5)], f: ([x]) => ops.tanh(x!) },
  { name: 'relu', inputs: [g(4, 5)], f: ([x]) => ops.relu(x!) },
  { name: 'gelu', inputs: [g(4, 5)], f: ([x]) => ops.gelu(x!) },
  { name: 'softmax', inputs: [g(4, 7)], f: ([x]) => ops.softmax(x!) },
  { name: 'softmax (wide rows)', inputs: [g(2, 300)], f: ([x]) => ops.softmax(x!) },
  { name: 'layerNorm', inputs: [g(4, 3, 16), g(16), g(16)], f: ([x, w, b]) => ops.layerNorm(x!, w!, b!) },
  { name: 'dropout', inputs: [g(5, 9)], f: ([x]) => ops.dropout(x!, 0.3, { seed: 42 }) },
  { name: 'embedding (repeated ids)', inputs: [g(10, 6), ids([3, 4], [1, 7, 1, 0, 9, 7, 7, 2, 1, 5, 3, 9])], f: ([t, i]) => ops.embedding(t!, i!) },
  { name: 'concat', inputs: [g(4, 2), g(4, 5), g(4, 1)], f: (xs) => ops.concat(xs) },
  {
    name: 'split',
    inputs: [g(3, 8)],
    f: ([x]) => {
      const [a, b] = ops.split(x!, [5, 3]);
      return ops.concat([b!, ops.scale(a!, 2)]);
    },
  },
  { name: 'sum', inputs: [g(3, 7)], f: ([x]) => ops.sum(x!) },
  { name: 'mean', inputs: [g(3, 7)], f: ([x]) => ops.mean(x!) },
  {
    name: 'softmaxCrossEntropy (ignore index)',
    inputs: [g(6, 9), ids([6], [3, -100, 0, 8, -100, 4])],
    f: ([l, t]) => ops.softmaxCrossEntropy(l!, t!, { ignoreIndex: -100 }),
  },
  { name: 'softmaxCrossEntropy (wide rows)', inputs: [g(3, 1000), ids([3], [999, 0, 512])], f: ([l, t]) => ops.softmaxCrossEntropy(l!, t!) },
  { name: 'mse', inputs: [g(4, 6), g(4, 6)], f: ([a, b]) => ops.mse(a!, b!) },
  { name: 'bceWithLogits', inputs: [g(4, 3), { shape: [4, 3], data: [1, 0, 0, 1, 1, 0.5, 0, 0, 1, 0.25, 1, 0] }], f: ([x, y]) => ops.bceWithLogits(x!, y!) },
  { name: 'cosineSimilarity', inputs: [g(5, 8), g(5, 8)], f: ([a, b]) => ops.cosineSimilarity(a!, b!) },
  { name: 'packPadded', inputs: [g(3, 5, 2)], f: ([p]) => ops.packPadded(p!, LAYOUT) },
  { name: 'unpackPadded', inputs: [g(7, 2)], f: ([p]) => ops.unpackPadded(p!, LAYOUT, 6) },
  { name: 'lastStep', inputs: [g(7, 3)], f: ([p]) => ops.lastStep(p!, LAYOUT) },
  { name: 'packList', inputs: [g(2, 3), g(4, 3), g(1, 3)], f: (xs) => ops.packList(xs).packed },
  attentionSpec('selfAttention (causal, 2 heads)', LAYOUT, 6, 2, true),
  attentionSpec('selfAttention (bidirectional, 1 head)', GRU_LAYOUT, 5, 1, false),
  attentionSpec('selfAttention (causal, length-1 sequences, 3 heads)', ONES, 6, 3, true),
  attentionSpec('selfAttention (causal, 2 heads, attention dropout)', LAYOUT, 6, 2, true, 0.4),
  attentionSpec('selfAttention (bidirectional, 1 head, attention dropout)', GRU_LAYOUT, 5, 1, false, 0.4),
  gruSpec('gru (1 layer, variable lengths)', GRU_LAYOUT, 3, 4, 1),
  gruSpec('gru (2 layers, h0, dropout between layers)', GRU_LAYOUT, 3, 5, 2, { h0: true, dropout: 0.3 }),
  gruSpec('gru (3 layers, every sequence of length 1)', ONES, 2, 3, 3, { h0: true }),
  gruSpec('gru (2 layers, a batch of one sequence)', PackedLayout.fromLengths([5]), 3, 4, 2, { h0: true }),
  // Wider than a warp and not a multiple of 32: the CUDA kernels' partial tiles.
  gruSpec('gru (H = 37, variable lengths)', GRU_LAYOUT, 5, 37, 1),
];
