// The calls of native_overflow.test.ts: every native binding, with sizes whose products
// overflow int64 (2**52 × 4096 wraps to 0, small enough to pass a buffer check) or that a
// double does not hold exactly (2**62). Each such call must throw a TypeError that names the
// binding. Run as a script (node --import tsx), in a child process, since a call that crashes
// takes its process with it. It prints 'call <call>' before each call, 'bad <call>: <why>'
// for one that did not behave, and 'done <calls>' at the end.
import { writeSync } from 'node:fs';
import { native } from '../ts/native.js';

/** A size argument: `usual` (a valid call with every size usual), or a huge value. */
class Size {
  constructor(
    readonly name: string,
    readonly usual: number,
  ) {}
}
const size = (name: string, usual = 64): Size => new Size(name, usual);
const HUGE = [2 ** 52, 2 ** 53 - 1, 2 ** 62];
/** The other sizes of a call with a huge one: their usual values, or this (4096 × 2**52 = 2**64). */
const OTHER = 4096;

/** Bindings that take no size, and why. */
const NO_SIZES: Record<string, string> = {
  free: 'takes only a storage id',
  stats: 'takes no arguments',
  emptyCache: 'takes no arguments',
  threads: 'takes no arguments',
  isa: 'takes no arguments',
  setIsa: 'takes an ISA name',
  setCacheLimit: 'takes a byte limit, not a size: any value is valid',
};

/** Every binding with sizes: its arguments, the sizes marked. Storages hold 4096 values. */
function cases(): Record<string, unknown[]> {
  const [a, b, c, d, e, f, g, h, i, j, k, l] = Array.from({ length: 12 }, () => native.alloc(4 * 4096, true));
  const ids = native.alloc(4 * 4096, true); // zeros: valid ids and targets; no call writes to it
  const bs = Int32Array.of(1),
    sorted = Int32Array.of(0); // one sequence of one step
  const n = size('n'),
    rows = size('rows'),
    D = size('D'),
    N = size('N'),
    C = size('C');
  const E = size('E', 8),
    H = size('H', 8),
    L = size('L', 1);
  return {
    alloc: [size('bytes'), false],
    write: [a, new Float32Array(4), size('byteOffset', 0)],
    read: [a, new Float32Array(4), size('byteOffset', 0)],
    copy: [a, b, size('bytes')],
    setThreads: [size('threads', 1)],
    peakGflops: [0.001, size('threads', 1)],
    gemm: [
      false,
      false,
      size('M'),
      size('N'),
      size('K'),
      1,
      a,
      size('aOffset', 0),
      size('lda'),
      b,
      size('bOffset', 0),
      size('ldb'),
      0,
      c,
      size('cOffset', 0),
      size('ldc'),
    ],
    binary: [0, a, b, c, n],
    scale: [a, 2, b, n],
    axpy: [2, a, b, n],
    fill: [a, 1, n],
    broadcastScalar: [a, 2, b, n],
    addBias: [a, b, c, rows, D],
    sumRows: [a, b, rows, D],
    unary: [0, a, b, n],
    unaryGrad: [0, a, b, c, d, n],
    layernorm: [a, b, c, d, e, f, rows, D, 1e-5],
    layernormGrad: [a, b, c, d, e, f, g, h, rows, D],
    dropout: [a, b, c, n, 0.5, 1],
    dropoutGrad: [a, b, c, n, 0.5],
    embeddingGather: [a, size('V'), E, ids, n, c],
    embeddingScatterAdd: [a, ids, n, E, c, size('V')],
    concat: [[a, b], [size('width0', 32), size('width1', 32)], c, rows],
    split: [a, [b, c], [size('width0', 32), size('width1', 32)], rows],
    sum: [a, n, b],
    sumSquares: [a, n, b],
    firstNonFinite: [a, n],
    softmaxXent: [a, ids, c, N, C, -100, d, e],
    softmaxXentGrad: [a, ids, c, d, e, f, N, C, -100],
    softmax: [a, b, N, C],
    softmaxGrad: [a, b, c, N, C],
    mse: [a, b, n, c],
    mseGrad: [a, b, c, d, e, n],
    cosine: [a, b, c, N, D, 1e-8],
    cosineGrad: [a, b, c, d, e, N, D, 1e-8],
    bceLogits: [a, b, n, c],
    bceLogitsGrad: [a, b, c, d, n],
    gradClip: [a, size('k'), 1, b],
    // Two tensors: p, g, m, v of n0 and n1 floats; clip (e) holds zeros, a finite factor.
    adamSteps: [[a, b], [c, d], [f, g], [h, i], [size('n0'), size('n1')], 1e-3, 0.9, 0.999, 1e-8, 0, true, 1, e],
    cast: ['f32>f16', a, b, n],
    // No rows and no columns, so the K × K Gram matrix is all K touches.
    alsHalfStep: [BigInt64Array.of(0n), new Int32Array(0), new Float32Array(0), size('rows', 0), a, size('cols', 0), b, size('K', 4), 0.1, size('cgSteps', 3)],
    packPadded: [a, size('Tpad'), E, bs, sorted, b],
    unpackPadded: [a, size('Tpad'), E, bs, sorted, b],
    gruForward: [a, E, H, L, [b], [c], [d], [e], f, bs, sorted, 0, 1, true, g, h, i],
    gruBackward: [a, E, H, L, [b], [c], null, bs, sorted, 0, d, e, f, g, h, [i], [j], [k], [l], null],
    gruWorkspaceFloats: [L, size('total', 1), H, true, false],
    attention: [a, D, size('heads', 2), true, bs, sorted, 0, 1, b, c],
    attentionGrad: [a, b, c, D, size('heads', 2), true, bs, sorted, 0, 1, d],
  };
}

const sizesOf = (args: unknown[]): Size[] => args.flatMap((x) => (x instanceof Size ? [x] : Array.isArray(x) ? sizesOf(x) : []));
const fill = (args: unknown[], v: Map<Size, number>): unknown[] => args.map((x) => (x instanceof Size ? v.get(x)! : Array.isArray(x) ? fill(x, v) : x));

/** Sizes for a call: each subset of the sizes at one huge value, and each pair at two different ones; the other sizes usual, or OTHER. */
function* variants(sizes: Size[]): Generator<Map<Size, number>> {
  const huge: Map<Size, number>[] = [];
  for (let subset = 1; subset < 1 << sizes.length; subset++)
    for (const x of HUGE) huge.push(new Map(sizes.filter((_, p) => (subset >> p) & 1).map((s) => [s, x])));
  sizes.forEach((s, p) =>
    sizes.slice(p + 1).forEach((t) =>
      HUGE.forEach((x) =>
        HUGE.forEach(
          (y) =>
            x !== y &&
            huge.push(
              new Map([
                [s, x],
                [t, y],
              ]),
            ),
        ),
      ),
    ),
  );
  for (const h of huge)
    for (const other of h.size === sizes.length ? ['usual'] : ['usual', OTHER])
      yield new Map(sizes.map((s) => [s, h.get(s) ?? (other === 'usual' ? s.usual : OTHER)]));
}

function main(): void {
  // fd 1 is the parent's pipe, which may be non-blocking: when it is full (the parent reading
  // slowly on a loaded machine) a write answers EAGAIN, seen in CI; wait 1 ms and write the rest.
  const out = (line: string): void => {
    const bytes = Buffer.from(`${line}\n`);
    for (let done = 0; done < bytes.length;) {
      try {
        done += writeSync(1, bytes, done);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  };
  const fns = native as unknown as Record<string, (...args: unknown[]) => unknown>;
  const all = cases();
  for (const fn of Object.keys(native)) if (!(fn in all) && !(fn in NO_SIZES)) out(`bad ${fn}: no case in test/native_overflow_calls.ts`);
  for (const fn of Object.keys(all)) if (!(fn in native)) out(`bad ${fn}: not a native binding`);
  let calls = 0;
  const call = (fn: string, sizes: Size[], v: Map<Size, number>, expectError: boolean): void => {
    const desc = `${fn}(${sizes.map((s) => `${s.name}=${v.get(s)}`).join(', ')})`;
    out(`call ${desc}`);
    calls++;
    try {
      fns[fn]!(...fill(all[fn]!, v));
      if (expectError) out(`bad ${desc}: did not throw`);
    } catch (err) {
      const e = err as Error;
      if (!expectError) out(`bad ${desc}: the call with usual sizes threw ${e.message}`);
      else if (!(e instanceof TypeError) || !e.message.startsWith(`seqcore native ${fn}:`)) out(`bad ${desc}: threw ${e.name}: ${e.message}`);
    }
  };
  for (const fn of Object.keys(all)) {
    const sizes = [...new Set(sizesOf(all[fn]!))];
    call(fn, sizes, new Map(sizes.map((s) => [s, s.usual])), false); // the case is a valid call
    for (const v of variants(sizes)) call(fn, sizes, v, true);
  }
  out(`done ${calls}`);
}

main();
