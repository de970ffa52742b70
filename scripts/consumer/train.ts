// A TypeScript consumer: type-checked (tsc --noEmit, skipLibCheck off, no @types installed)
// against seqcore's published declarations.
import { Adam, backward, GRU, ops, PackedLayout, tensor, tidy, type Tensor } from 'seqcore';

const layout: PackedLayout = PackedLayout.fromLengths([3, 1]);
const gru = new GRU(4, 8);
const opt = new Adam(gru.parameters(), { lr: 0.01 });
const x: Tensor = tensor(new Float32Array(layout.total * 4), [layout.total, 4]);
const loss: number = tidy(() => {
  const out: Tensor = gru.forward(x, layout).output;
  const l = ops.mean(ops.mul(out, out));
  backward(l);
  return l.item();
});
opt.step();
export { loss };
