import { backward, noGrad } from '../autograd.js';
import type { Adam } from '../optim/adam.js';
import { tidy, type Tensor } from '../tensor.js';

/**
 * One optimisation step on any backend: the loss and its backward in a tidy scope, the
 * update, then the loss read. Reads are asynchronous because the webgpu backend reads no
 * other way; on the cpu they cost nothing more.
 */
export async function trainStep(lossOf: () => Tensor, opt: Adam): Promise<number> {
  const l = tidy(() => {
    const l = lossOf();
    backward(l);
    return l;
  });
  try {
    await opt.stepAsync();
    return await l.scalar();
  } finally {
    opt.zeroGrad();
    l.dispose();
  }
}

/**
 * f's result computed without gradients and read on any backend (`read`: the tensor's
 * `data()` or `scalar()`), then freed; every intermediate is freed by a tidy scope.
 */
export async function readNoGrad<T>(f: () => Tensor, read: (t: Tensor) => Promise<T>): Promise<T> {
  const t = noGrad(() => tidy(f));
  try {
    return await read(t);
  } finally {
    t.dispose();
  }
}
