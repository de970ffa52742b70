// The webgpu backend through Dawn — on Mesa's llvmpipe (OpenGL ES, compatibility mode) in CI
// and here, on the default backend where a GPU is present: what the conformance suite every
// backend runs (test/conformance/: each op and the optimizer kernels against the float64
// reference, kernel coverage, training parity) does not cover.
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, kernel, ops, PackedLayout, Rng, Tensor, tensor } from '../ts/index.js';
import { backwardProbe, dispose, expectClose, f64, makeInputs, randn, useWebGpu } from './harness.js';
import { Profiler, setProfiler } from '../ts/profile.js';
import { GEMM_TILES, gemmTileFor, useGemmTile, useTunedGemmTiles } from '../ts/backend/webgpu/gemm.js';
import { loadTunedTiles, readTunedTiles, tuneGemm } from '../ts/backend/webgpu/gemm_tune.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const webgpu = useWebGpu();

describe('webgpu backend', () => {
  it('reads only asynchronously, and says so', () => {
    const t = makeInputs([{ shape: [2] }], 'webgpu', new Rng(1))[0]!;
    expect(() => t.toArray()).toThrow(/await tensor\.data\(\)/);
    t.dispose();
  });
});

describe('webgpu backend: kernels outside the op specs', () => {
  const on = (backend: string, data: number[] | Int32Array | Float32Array, shape: number[], dtype: 'float32' | 'int32' = 'float32'): Tensor =>
    tensor(data instanceof Int32Array || data instanceof Float32Array ? data : dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data), shape, {
      backend,
    });

  it('casts as the cpu does, bit for bit (odd lengths, float16 rounding and overflow, int64 signs)', async () => {
    const f = [0, -0.5, 1 / 3, 65504, 70000, 1e-8, -2.75e-5];
    const i = [0, -1, 7, -2147483648, 2147483647];
    for (const [data, from, chain] of [
      [f, 'float32', ['float16', 'float32']],
      [i, 'int32', ['int64', 'int32']],
      [i, 'int32', ['float32']],
    ] as const) {
      const run = async (backend: string): Promise<number[]> => {
        let t = on(backend, [...data], [data.length], from);
        for (const d of chain) {
          const next = ops.cast(t, d);
          t.dispose();
          t = next;
        }
        const out = Array.from((await t.data()) as ArrayLike<number>);
        t.dispose();
        return out;
      };
      expect(await run('webgpu'), `${from} → ${chain.join(' → ')}`).toEqual(await run('cpu'));
    }
  });

  it('an int64 that does not fit int32, and an embedding id outside the table, fail at the next read', async () => {
    const g = tensor(BigInt64Array.from([5n, 1n << 40n]), [2], { backend: 'webgpu' });
    const narrow = ops.cast(g, 'int32');
    await expect(narrow.data()).rejects.toThrow(/cast int64 → int32: element 1 does not fit/);
    const table = on('webgpu', [1, 2, 3, 4, 5, 6], [3, 2]);
    const rows = ops.embedding(table, on('webgpu', [0, 3, 1], [3], 'int32'));
    await expect(rows.data()).rejects.toThrow(/embeddingGather: id 3 at position 1 is outside the table/);
    expect(Array.from((await rows.data()) as Float32Array)).toEqual([1, 2, 0, 0, 3, 4]); // the fault is raised once
    for (const t of [g, narrow, table, rows]) t.dispose();
  });

  it("reduces past llvmpipe's cap of 65,535 iterations per loop (sum of 9M, column sums of 70,000 rows)", async () => {
    const rng = new Rng(5);
    const big = randn([9_000_000], rng),
      tall = randn([70_000, 3], rng);
    const onBoth = async (f: (backend: string) => Tensor): Promise<[Float64Array, Float64Array]> => [await f64(f('webgpu')), await f64(f('cpu'))];
    const [s, sc] = await onBoth((b) => ops.sum(on(b, big, [big.length])));
    expectClose(s, sc, 0, 1e-5, 'sum of 9M');
    const [r, rc] = await onBoth((b) => {
      const out = Tensor.empty([3], 'float32', on(b, [0], [1]).backend);
      kernel('sumRows', b)(on(b, tall, [70_000, 3]), out);
      return out;
    });
    expectClose(r, rc, 1e-3, 1e-5, 'column sums of 70,000 rows');
  });

  it('GEMM: every tile shape, each transpose, alpha and beta, on edge and interior tiles, as the cpu', async () => {
    const rng = new Rng(11);
    try {
      for (const tile of GEMM_TILES) {
        useGemmTile(tile);
        for (const [M, N, K] of [
          [131, 70, 37], // every tile shape has edge tiles, and K ends inside a slice
          [256, 128, 64], // interior tiles only
        ] as const)
          for (const [transA, transB] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ] as const) {
            const A = randn(transA ? [K, M] : [M, K], rng),
              B = randn(transB ? [N, K] : [K, N], rng),
              C = randn([M, N], rng);
            const run = async (backend: string): Promise<Float64Array> => {
              const c = on(backend, C, [M, N]);
              kernel('gemm', backend)(on(backend, A, transA ? [K, M] : [M, K]), on(backend, B, transB ? [N, K] : [K, N]), c, {
                transA,
                transB,
                alpha: 0.5,
                beta: 2,
              });
              return f64(c);
            };
            expectClose(await run('webgpu'), await run('cpu'), 1e-4, 1e-4, `${tile.BM}×${tile.BN} tiles, ${M}×${N}×${K}, transA ${transA}, transB ${transB}`);
          }
      }
    } finally {
      useGemmTile(null);
    }
  });

  it('embedding gradients: ids from the host are summed per id in a fixed order; ids made on the GPU by atomic adds', async () => {
    const rng = new Rng(8),
      n = 5000,
      V = 7,
      E = 5;
    const ids = Int32Array.from({ length: n }, () => (rng.uniform() < 0.8 ? 0 : rng.int(V))); // one hot id, as pad is
    const dy = randn([n, E], rng);
    const grad = async (backend: string, idsOf: (b: string) => Tensor): Promise<Float64Array> => {
      const out = Tensor.empty([V, E], 'float32', on(backend, [0], [1]).backend);
      kernel('embeddingScatterAdd', backend)(on(backend, dy, [n, E]), idsOf(backend), out);
      return f64(out);
    };
    const fromHost = (b: string): Tensor => on(b, ids, [n], 'int32');
    const fromGpu = (b: string): Tensor => ops.cast(tensor(BigInt64Array.from(ids, BigInt), [n], { backend: b }), 'int32');
    const want = await grad('cpu', fromHost),
      sorted = await grad('webgpu', fromHost);
    expectClose(sorted, want, 1e-4, 1e-5, 'planned on the host');
    expect(await grad('webgpu', fromHost)).toEqual(sorted); // bit for bit, run after run
    expectClose(await grad('webgpu', fromGpu), want, 1e-4, 1e-5, 'atomic adds');
  });

  it('a softmax target outside the classes fails at the next read', async () => {
    const loss = ops.softmaxCrossEntropy(on('webgpu', [1, 2, 3, 4, 5, 6], [2, 3]), on('webgpu', [1, 3], [2], 'int32'));
    await expect(loss.data()).rejects.toThrow(/softmaxXent: target 3 of row 1 is outside/);
    loss.dispose();
  });

  it('a validation error reported by the device fails the next read', async () => {
    const x = on('webgpu', [1, 2], [2]);
    webgpu().dispatch1d('elementwise', 'no_such_entry', [x], { n: 2, d: 0, op: 0, off: 0, s: 0, stride: 0 }, 2);
    await expect(x.data()).rejects.toThrow(/webgpu: .*no_such_entry.*raised at this read/s);
    expect(Array.from((await x.data()) as Float32Array)).toEqual([1, 2]); // raised once
    x.dispose();
  });

  it('copies whole buffers, float16 included', async () => {
    const src = ops.cast(on('webgpu', [1, 2, 3], [3]), 'float16');
    const dst = Tensor.empty([3], 'float16', src.backend);
    kernel('copy', src)(src, dst);
    expect(Array.from((await ops.cast(dst, 'float32').data()) as Float32Array)).toEqual([1, 2, 3]);
    src.dispose();
    dst.dispose();
  });

  it('profiles each kernel call (timestamp queries, or the host clock around a lone submit)', async () => {
    const a = on('webgpu', randn([48, 48], new Rng(2)), [48, 48]);
    const p = new Profiler();
    setProfiler(p);
    const b = ops.matmul(a, a),
      c = ops.gelu(b);
    setProfiler(null);
    const events = await p.finish();
    expect(events.map((e) => [e.backend, e.op])).toEqual([
      ['webgpu', 'gemm'],
      ['webgpu', 'unary'],
    ]);
    expect(events.every((e) => e.dur > 0)).toBe(true);
    expect([...p.sources].some((s) => s.startsWith('webgpu: '))).toBe(true);
    expectClose(await f64(c), await f64(ops.gelu(ops.matmul(a, a))), 0, 0, 'profiled and unprofiled results');
    for (const t of [a, b, c]) t.dispose();
  });

  for (const [name, Opt, cfg] of [
    ['Adam + L2 weight decay', Adam, { lr: 0.01, weightDecay: 0.1 }],
    ['AdamW + global-norm clipping', AdamW, { lr: 0.01, weightDecay: 0.1, maxGradNorm: 0.5 }],
  ] as const)
    it(`${name}: webgpu matches the reference over 5 steps (stepAsync)`, async () => {
      const run = async (backend: string): Promise<Float64Array[]> => {
        const rng = new Rng(3);
        const ps = [[4, 3], [7]].map((s) => on(backend, randn(s, rng), s).keep());
        ps.forEach((p) => {
          p.requiresGrad = true;
        });
        const opt = new Opt(ps, cfg);
        for (let step = 0; step < 5; step++) {
          ps.forEach((p) => {
            p.grad = on(backend, randn([...p.shape], rng, 3), [...p.shape]).keep();
          });
          await opt.stepAsync();
          opt.zeroGrad();
        }
        const out = await Promise.all(ps.map(f64));
        opt.dispose();
        ps.forEach((p) => p.dispose());
        return out;
      };
      const gpuRun = await run('webgpu'),
        ref = await run('reference');
      gpuRun.forEach((c, i) => expectClose(c, ref[i]!, 1e-6, 1e-5, `${name} parameter ${i}`));
    });
});

describe('webgpu selfAttention at training sizes', () => {
  it('matches the cpu with lengths up to 50 over several workgroups (causal, bidirectional, attention dropout)', async () => {
    const D = 32,
      layout = PackedLayout.fromLengths([50, 12, 1, 33, 50, 7, 50, 29]);
    for (const [causal, dropout] of [
      [true, 0],
      [false, 0],
      [true, 0.5],
    ] as const) {
      const o = { heads: 4, causal, dropout, seed: 21 };
      const rng = new Rng(8),
        shapes = [[layout.total, D], [3 * D, D], [3 * D], [D, D], [D]];
      const host = shapes.map((s, k) => randn(s, rng, k === 0 ? 1 : 1 / Math.sqrt(D)));
      const outs: Float64Array[][] = [];
      for (const backend of ['webgpu', 'cpu']) {
        const xs = host.map((h, k) => {
          const t = tensor(h, shapes[k]!, { backend }).keep();
          t.requiresGrad = true;
          return t;
        });
        const y = ops.selfAttention(xs[0]!, layout, xs[1]!, xs[2]!, xs[3]!, xs[4]!, o);
        backwardProbe(([x, a, b, c, d]) => ops.selfAttention(x!, layout, a!, b!, c!, d!, o), xs, randn([layout.total, D], new Rng(9)));
        outs.push([await f64(y), ...(await Promise.all(xs.map((x) => f64(x.grad!))))]);
        y.dispose();
        dispose(xs);
      }
      outs[0]!.forEach((v, k) =>
        expectClose(v, outs[1]![k]!, 1e-5, 1e-4, `${causal ? 'causal' : 'bidirectional'}, dropout ${dropout}, ${k ? `gradient ${k - 1}` : 'forward'}`),
      );
    }
  });
});

describe('webgpu bind groups', () => {
  it('a step repeated on recycled buffers makes no new bind group, and computes the same', async () => {
    const rng = new Rng(4);
    const [X, W, Bias] = [randn([64, 32], rng), randn([32, 48], rng), randn([64, 48], rng)];
    const step = async (): Promise<Float32Array> => {
      await webgpu().sync(); // a training step starts after a read: at the uniform ring's first slot
      const on = (data: Float32Array, shape: number[]) => tensor(data, shape, { backend: 'webgpu' });
      const [x, w, bias] = [on(X, [64, 32]), on(W, [32, 48]), on(Bias, [64, 48])];
      const h = ops.matmul(x, w),
        g = ops.gelu(h),
        y = ops.add(g, bias);
      const out = (await y.data()) as Float32Array;
      for (const t of [x, w, bias, h, g, y]) t.dispose();
      return out;
    };
    const first = await step();
    await step(); // the pool now hands the buffers out in the order it will keep
    const before = { ...webgpu().bindGroupCount };
    const third = await step();
    expect(webgpu().bindGroupCount.made).toBe(before.made);
    expect(webgpu().bindGroupCount.reused - before.reused).toBeGreaterThanOrEqual(3); // GEMM, GELU, add
    expect(third).toEqual(first);
  });
});

describe('webgpu GEMM tiles tuned per adapter and cached on disk', () => {
  it('each tile checked and timed; the fastest kept, cached beside other adapters, and used for the nearest size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqcore-tune-')),
      file = join(dir, 'tiles.json');
    const other = { M: 8, N: 8, K: 8, tile: GEMM_TILES[0], ms: [1, 2, 3] };
    writeFileSync(file, JSON.stringify({ version: 1, adapters: { 'another adapter': { tuned: 'earlier', entries: [other] } } }));
    const shapes = [
      { M: 64, N: 48, K: 40 },
      { M: 300, N: 260, K: 70 },
    ];
    const before = useTunedGemmTiles([]);
    try {
      const entries = await tuneGemm(webgpu(), { shapes, repeats: 1, file });
      expect(entries.map(({ M, N, K }) => ({ M, N, K }))).toEqual(shapes);
      for (const e of entries) {
        expect(e.ms).toHaveLength(GEMM_TILES.length);
        for (const ms of e.ms) expect(ms).toBeGreaterThan(0);
        expect(e.tile).toBe(GEMM_TILES[e.ms.indexOf(Math.min(...e.ms))]); // the fastest
      }
      expect(readTunedTiles(webgpu().description, file)).toEqual(entries);
      expect(readTunedTiles('another adapter', file)).toEqual([other]);
      expect(readTunedTiles('an adapter never tuned', file)).toBeNull();
      // in use, and GEMMs still agree with the cpu
      expect(gemmTileFor(64, 48, 40)).toBe(entries[0]!.tile);
      const rng = new Rng(3);
      const [A, B] = [randn([90, 70], rng), randn([70, 110], rng)];
      const run = async (backend: string): Promise<Float64Array> => {
        const c = tensor(new Float32Array(90 * 110), [90, 110], { backend });
        kernel('gemm', backend)(tensor(A, [90, 70], { backend }), tensor(B, [70, 110], { backend }), c, { transA: false, transB: false, alpha: 1, beta: 0 });
        return f64(c);
      };
      expectClose(await run('webgpu'), await run('cpu'), 1e-4, 1e-4, 'with the tuned tiles');
      // tuning one size again replaces its entry and keeps the other
      const again = await tuneGemm(webgpu(), { shapes: [shapes[1]!], repeats: 1, file });
      expect(readTunedTiles(webgpu().description, file)!.map(({ M, N, K }) => ({ M, N, K }))).toEqual(shapes);
      expect(readTunedTiles(webgpu().description, file)![1]).toEqual(again[0]);
    } finally {
      useTunedGemmTiles(before);
    }
  });

  it('a product takes the tile of the nearest tuned size within an octave on every side, else the workgroup-count rule', () => {
    const [big, mid, small] = GEMM_TILES;
    const before = useTunedGemmTiles([
      { M: 256, N: 256, K: 256, tile: small },
      { M: 1024, N: 1024, K: 1024, tile: mid },
      { M: 4096, N: 256, K: 1024, tile: big },
    ]);
    try {
      expect(gemmTileFor(256, 256, 256)).toBe(small);
      expect(gemmTileFor(300, 200, 400)).toBe(small); // nearest: 256³
      expect(gemmTileFor(700, 700, 700)).toBe(mid); // 0.55 octave from 1024 on each side, 1.45 from 256
      expect(gemmTileFor(3000, 300, 900)).toBe(big);
      // nothing tuned within an octave: the rule (4096² gives the largest tile 2,048 workgroups; 12 rows, the smallest)
      expect(gemmTileFor(4096, 4096, 4096)).toBe(big);
      expect(gemmTileFor(12, 768, 256)).toBe(small);
      expect(gemmTileFor(100, 100, 100)).toBe(small);
      useTunedGemmTiles([{ M: 256, N: 256, K: 256, tile: big }]);
      expect(gemmTileFor(128, 128, 128)).toBe(big); // an octave away: still tuned
      expect(gemmTileFor(127, 128, 128)).toBe(small); // past it: the rule
    } finally {
      useTunedGemmTiles(before);
    }
  });

  it('a cache that cannot be read names the file and the fault; at start it is a warning and tiles go by workgroup count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqcore-tune-')),
      file = join(dir, 'webgpu-gemm-tiles.json');
    const cases: [string, RegExp][] = [
      ['{"version": 1, "adap', /not valid JSON/],
      [JSON.stringify({ version: 2, adapters: {} }), /layout version 2, this seqcore reads 1/],
      [
        JSON.stringify({ version: 1, adapters: { A: { entries: [{ M: 4, N: 4, K: 4, tile: { BM: 16, BN: 16, TM: 1, TN: 1 } }] } } }),
        /adapter 'A', entry 0: expected/,
      ],
      [JSON.stringify({ version: 1, adapters: { A: { entries: [{ M: 0, N: 4, K: 4, tile: GEMM_TILES[0] }] } } }), /adapter 'A', entry 0: expected/],
    ];
    for (const [text, why] of cases) {
      writeFileSync(file, text);
      expect(() => readTunedTiles('A', file), text).toThrow(why);
      expect(() => readTunedTiles('A', file)).toThrow(file);
    }
    const saved = process.env.SEQCORE_CACHE;
    process.env.SEQCORE_CACHE = dir;
    const before = useTunedGemmTiles([]);
    try {
      const entry = { M: 4096, N: 4096, K: 4096, tile: GEMM_TILES[2] };
      writeFileSync(file, JSON.stringify({ version: 1, adapters: { [webgpu().description]: { entries: [entry] } } }));
      expect(loadTunedTiles(webgpu())).toBe(1);
      expect(gemmTileFor(4000, 4000, 4000)).toBe(GEMM_TILES[2]); // tuned, against the rule's largest tile
      writeFileSync(file, '{');
      const warnings: string[] = [];
      expect(loadTunedTiles(webgpu(), (l) => warnings.push(l))).toBe(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(file);
      expect(gemmTileFor(4000, 4000, 4000)).toBe(GEMM_TILES[0]); // the workgroup-count rule: the largest tile that fills the GPU
      expect(readFileSync(file, 'utf8')).toBe('{'); // left as it was
    } finally {
      useTunedGemmTiles(before);
      if (saved === undefined) delete process.env.SEQCORE_CACHE;
      else process.env.SEQCORE_CACHE = saved;
    }
  });
});
