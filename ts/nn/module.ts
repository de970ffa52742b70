import { getBackend, type Backend } from '../backend/backend.js';
import { Tensor, tensor } from '../tensor.js';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../io/safetensors.js';

/**
 * Base of every model: a registry of named parameters and child modules. Parameters are
 * kept (outside every tidy scope) and require grad.
 */
export abstract class Module {
  training = true;
  private readonly registered = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  protected param(name: string, t: Tensor): Tensor {
    if (this.registered.has(name)) throw new Error(`parameter '${name}' is already registered`);
    t.requiresGrad = true;
    t.name = name;
    this.registered.set(name, t.keep());
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    if (this.children.has(name)) throw new Error(`child module '${name}' is already registered`);
    this.children.set(name, m);
    return m;
  }

  /** Parameters by dotted path ("encoder.weight"), in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.registered) out.push([prefix + n, t]);
    for (const [n, c] of this.children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  parameterCount(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  train(on = true): this {
    this.training = on;
    for (const c of this.children.values()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Copies of every parameter's values, by name (read asynchronously: any backend). */
  async stateDict(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    const named = this.namedParameters();
    const data = await Promise.all(named.map(([, t]) => t.float32Data()));
    return new Map(named.map(([n, t], i) => [n, { shape: [...t.shape], data: data[i]! }]));
  }

  /**
   * Loads values saved by stateDict(); every parameter must be present with its shape. All are
   * checked before any is written, so a mismatch leaves the model as it was.
   */
  loadStateDict(state: Map<string, { shape: number[]; data: Float32Array }>): void {
    const named = this.namedParameters();
    for (const [n, t] of named) {
      const s = state.get(n);
      if (!s) throw new Error(`loadStateDict: missing parameter '${n}'`);
      if (s.shape.join() !== t.shape.join())
        throw new Error(`loadStateDict: parameter '${n}' has shape [${s.shape.join(', ')}] in the state, [${t.shape.join(', ')}] in the model`);
    }
    for (const [n, t] of named) t.backend.upload(t.storage, 'float32', state.get(n)!.data);
  }

  /**
   * Writes every parameter (float32, by its dotted name) to a safetensors file, atomically,
   * with `metadata` in the header's __metadata__ (string values; "format": "pt" as PyTorch's
   * save_file writes). safetensors.torch.load_file reads it, and a GRU's names and shapes are
   * torch.nn.GRU's, so its state dict loads as it is.
   */
  async save(path: string, metadata: Record<string, string> = {}): Promise<void> {
    const state = await this.stateDict();
    const tensors = new Map<string, SafeTensor>([...state].map(([n, s]) => [n, { dtype: 'F32', shape: s.shape, data: s.data }]));
    writeSafetensors(path, { tensors, metadata: { format: 'pt', ...metadata } });
  }

  /**
   * Loads the parameters from a safetensors file (save()'s, or PyTorch's save_file of the same
   * names and shapes in float32); returns its metadata. Errors name the file and the tensor.
   */
  load(path: string): Record<string, string> {
    const file = readSafetensors(path);
    // strict, as PyTorch's load_state_dict: a tensor the model has no parameter for is an error
    const names = new Set(this.namedParameters().map(([n]) => n));
    const extra = [...file.tensors.keys()].filter((n) => !names.has(n));
    if (extra.length) throw new Error(`${path}: tensor${extra.length > 1 ? 's' : ''} ${extra.map((n) => `'${n}'`).join(', ')} match no parameter of the model`);
    const state = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [n, t] of file.tensors) {
      if (t.dtype !== 'F32') throw new Error(`${path}: tensor '${n}' is ${t.dtype}; parameters load from F32`);
      state.set(n, { shape: t.shape, data: t.data as Float32Array });
    }
    try {
      this.loadStateDict(state);
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
    }
    return file.metadata;
  }

  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
  }
}

/** A parameter tensor filled by fn(i), on the given or default backend. */
export function initTensor(shape: number[], fn: (i: number) => number, backend?: Backend): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = fn(i);
  return tensor(data, shape, { backend: backend ?? getBackend() });
}
