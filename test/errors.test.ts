import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { backendNames, native, ops, startBackend, tensor, Tensor, tidy } from '../ts/index.js';

describe('bad input gives a clear error', () => {
  it('without the cpu addon, seqcore still imports and the cpu backend says what failed', () => {
    const script =
      "const m = await import('./ts/index.ts'); console.log(m.backendNames().join(',')); " +
      'try { m.tensor(new Float32Array(2)); } catch (e) { console.log(e.message); }';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, SEQCORE_NATIVE_ADDON: '/nonexistent/seqcore.node' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      "cpu,webgpu,cuda\nseqcore: the cpu backend's native addon is not available: SEQCORE_NATIVE_ADDON=/nonexistent/seqcore.node: no such file\n",
    );
  }, 60_000);

  it('an unknown --backend names the backends that registered a starter', async () => {
    expect(backendNames()).toEqual(expect.arrayContaining(['cpu', 'webgpu']));
    await expect(startBackend('tpu')).rejects.toThrow(/--backend: unknown backend 'tpu' \(expected one of cpu, webgpu/);
    expect((await startBackend('cpu')).name).toBe('cpu');
  });

  it('--precision: tf32 and bf16 only with --backend cuda, and only fp32, tf32 or bf16', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', 'example', '--steps', '1', ...args], { encoding: 'utf8' });
    for (const [args, message] of [
      [['--precision', 'tf32'], '--precision tf32 needs --backend cuda (the cpu backend computes in exact fp32 only)'],
      [['--backend', 'webgpu', '--precision', 'tf32'], '--precision tf32 needs --backend cuda (the webgpu backend'],
      [['--precision', 'bf16'], '--precision bf16 needs --backend cuda (the cpu backend computes in exact fp32 only)'],
      [['--precision', 'fp16'], "--precision must be one of fp32, tf32, bf16, got 'fp16'"],
    ] as const) {
      const r = run(...args);
      expect(r.status, r.stdout).toBe(1);
      expect(r.stderr).toContain(message);
    }
  }, 60_000);

  it('shape errors name the op and the shapes', () => {
    tidy(() => {
      const a = tensor(new Float32Array(6), [2, 3]),
        b = tensor(new Float32Array(8), [4, 2]);
      expect(() => ops.matmul(a, b)).toThrow('matmul: inner dimensions differ: a [2, 3] · b [4, 2]');
      expect(() => ops.add(a, b)).toThrow('add: a [2, 3] and b [4, 2] must have the same shape');
      expect(() => ops.linear(a, b)).toThrow(/linear: x \[2, 3\] has last dimension 3, weight \[4, 2\] expects 2/);
      expect(() => ops.softmaxCrossEntropy(a, tensor(new Int32Array(3)))).toThrow(/targets \[3\] must have one entry per row of logits \[2, 3\]/);
      expect(() => ops.reshape(a, [4])).toThrow('reshape: cannot reshape [2, 3] (6 elements) to [4] (4)');
    });
  });

  it('dtype errors name the op, the argument and its dtype', () => {
    tidy(() => {
      const table = tensor(new Float32Array(6), [3, 2]);
      expect(() => ops.embedding(table, tensor(new Float32Array(2)))).toThrow('embedding: ids must be int32, got float32 [2]');
      expect(() => ops.relu(tensor(new Int32Array(2)))).toThrow('relu: x must be float32, got int32 [2]');
    });
  });

  it('out-of-range ids and targets name the index and value', () => {
    tidy(() => {
      const table = tensor(new Float32Array(6), [3, 2]);
      expect(() => ops.embedding(table, tensor(new Int32Array([0, 2, 3])))).toThrow(/id 3 at index 2 is outside the table's 3 rows/);
      expect(() => ops.softmaxCrossEntropy(tensor(new Float32Array(6), [2, 3]), tensor(new Int32Array([1, 7])))).toThrow(
        /target 7 at row 1 is outside \[0, 3\)/,
      );
      expect(() => ops.cast(tensor(new BigInt64Array([1n, 1n << 40n])), 'int32')).toThrow(/value 1099511627776 at index 1 does not fit in int32/);
    });
  });

  it('tensor() rejects data that does not fill the shape', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor: 3 values do not fill shape [2, 2] (4 elements)');
    expect(() => Tensor.empty([2, -1])).toThrow(/non-negative integers/);
  });

  it('native calls validate every argument instead of crashing', () => {
    const a = native.alloc(16, true),
      c = native.alloc(16, true);
    const call = native.gemm as unknown as (...args: unknown[]) => void;
    expect(() => call(false)).toThrow('seqcore native gemm: expects 16 arguments, got 1');
    expect(() => native.gemm(false, false, 2, 2, 2, 1, a, 0, 2, a, 0, 2, 0, c, 0, 1)).toThrow(/leading dimension of 'C' \(1\) is less than its 2 columns/);
    expect(() => native.gemm(false, false, 3, 2, 2, 1, a, 0, 2, a, 0, 2, 0, c, 0, 2)).toThrow(/argument 'A' holds 4 elements of 4 bytes, but the call needs 6/);
    expect(() => native.gemm(false, false, 2, 2, 2, 1, a, 0, 2, a, 0, 2, 0, a, 0, 2)).toThrow(/C must not share storage/);
    expect(() => native.binary(0, a, a, c, -1)).toThrow(/'n' must be a non-negative integer/);
    expect(() => native.binary(0, a, a, c, 1.5)).toThrow(/'n' must be a non-negative integer/);
    expect(() => native.binary(9, a, a, c, 1)).toThrow(/unknown binary op 9/);
    expect(() => native.scale(a, NaN, c, 1)).toThrow(/'s' must be finite/);
    expect(() => native.write(a, new Float32Array(5), 0)).toThrow(/overruns a storage of 16 bytes/);
    expect(() => native.dropout(a, c, c, 4, 1.0, 1)).toThrow(/dropout probability must be in \[0, 1\)/);
    native.free(a);
    expect(() => native.fill(a, 0, 1)).toThrow(/refers to storage .* which does not exist or was freed/);
    expect(native.free(a)).toBe(false);
    expect(() => native.setIsa('sse9' as 'avx2')).toThrow(/unknown isa 'sse9'/);
    native.free(c);
  });
});
