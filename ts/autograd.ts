// A tape of coarse nodes: each node is one whole op (a matmul, a layer norm, a fused loss),
// so walking the graph costs nothing next to the kernels. Read top to bottom:
//   record()   — called by an op after its forward, links outputs to a backward closure
//   backward() — topological order from the loss, gradients accumulated into leaves' .grad
import { kernel } from './backend/registry.js';
import { Tensor } from './tensor.js';

/**
 * Gradients w.r.t. the outputs (null where none flowed) → gradients w.r.t. the inputs.
 * Returned tensors must be new (or views): the engine disposes the output gradients after.
 */
export type BackwardFn = (gradOutputs: (Tensor | null)[]) => (Tensor | null)[];

export class Node {
  released = false;
  constructor(
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly outputs: readonly Tensor[],
    private readonly backwardFn: BackwardFn,
    /** Tensors the forward made only for backward; owned and disposed by the node. */
    private readonly saved: readonly Tensor[],
  ) {}

  runBackward(gradOutputs: (Tensor | null)[]): (Tensor | null)[] {
    if (this.released) throw new Error(`backward through '${this.op}' a second time: its saved tensors were freed by the first backward()`);
    return this.backwardFn(gradOutputs);
  }

  release(): void {
    this.released = true;
    for (const t of this.saved) t.dispose();
  }
}

let gradEnabled = true;
let checkFinite = false;

/** Runs fn without recording a graph (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Debug option: after every op (forward and backward), check outputs for NaN/Inf and throw
 * an error naming the op. Slow: it scans every output.
 */
export function setCheckFinite(on: boolean): void {
  checkFinite = on;
}

export function assertFinite(op: string, what: string, ts: readonly (Tensor | null)[]): void {
  if (!checkFinite) return;
  ts.forEach((t, i) => {
    if (!t || t.dtype !== 'float32') return;
    const at = kernel('firstNonFinite', t)(t);
    if (at >= 0) throw new Error(`checkFinite: op '${op}' produced NaN/Inf in ${what} ${i} (shape [${t.shape.join(', ')}]) at flat index ${at}`);
  });
}

/**
 * Called by every op after its forward. If grad mode is on and an input requires grad, the
 * outputs get a node; otherwise the saved tensors are freed at once.
 */
export function record(op: string, inputs: readonly Tensor[], outputs: readonly Tensor[], backward: BackwardFn, saved: readonly Tensor[] = []): void {
  assertFinite(op, 'output', outputs);
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) {
    for (const t of saved) t.dispose();
    return;
  }
  const node = new Node(op, inputs, outputs, backward, saved);
  for (const o of outputs) {
    o.node = node;
    o.requiresGrad = true;
  }
}

function topoOrder(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>([root]);
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const child = node.inputs[i]!.node;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(node);
      stack.pop();
    }
  }
  return order; // inputs before the nodes that use them
}

/**
 * Back-propagates from `loss` (one element, or pass `grad` of its shape). Leaf tensors that
 * require grad accumulate into .grad across calls; the graph is freed afterwards, so a
 * second backward() through it is an error.
 */
export function backward(loss: Tensor, grad?: Tensor): void {
  if (!loss.requiresGrad)
    throw new Error(`backward: ${loss.describe()} does not require grad (no parameter was used to compute it, or it was computed under noGrad)`);
  if (!grad && loss.size !== 1) throw new Error(`backward: ${loss.describe()} is not a single value; pass its gradient explicitly`);
  if (grad && grad.shape.join() !== loss.shape.join()) throw new Error(`backward: gradient [${grad.shape.join(', ')}] does not match ${loss.describe()}`);
  const root = loss.node;
  if (!root) {
    // loss is itself a leaf
    accumulateLeaf(loss, seed(loss, grad));
    return;
  }
  if (root.released) throw new Error(`backward() called twice on ${loss.describe()}: its graph was freed by the first call`);
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>([[loss, seed(loss, grad)]]);
    const order = topoOrder(root);
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]!;
      const gOut = node.outputs.map((o) => grads.get(o) ?? null);
      for (const o of node.outputs) grads.delete(o);
      if (gOut.some((g) => g)) {
        const gIn = node.runBackward(gOut);
        assertFinite(`${node.op} (backward)`, 'input gradient', gIn);
        node.inputs.forEach((input, i) => {
          const g = gIn[i];
          if (!g) return;
          if (!input.requiresGrad) g.dispose();
          else if (input.node) accumulate(grads, input, g);
          else accumulateLeaf(input, g);
        });
        for (const g of gOut) g?.dispose();
      }
      node.release();
    }
  });
}

function seed(loss: Tensor, grad?: Tensor): Tensor {
  const g = Tensor.empty(loss.shape, 'float32', loss.backend);
  if (grad) kernel('copy', g)(grad, g);
  else kernel('fill', g)(g, 1);
  return g;
}

function accumulate(grads: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const prev = grads.get(t);
  if (!prev) {
    grads.set(t, g);
    return;
  }
  kernel('axpy', prev)(1, g, prev);
  g.dispose();
}

function accumulateLeaf(t: Tensor, g: Tensor): void {
  if (!t.grad) {
    t.grad = g.keep();
    return;
  }
  kernel('axpy', t.grad)(1, g, t.grad);
  g.dispose();
}
