// Model files in the safetensors format: the format read and written by its definition, every
// malformed file refused naming the file and the tensor, a module saved and loaded back, and a
// GRU saved by seqcore loaded into torch.nn.GRU with the same outputs (Debian's python3-torch;
// skipped, saying why, where it is missing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  GRU,
  manualSeed,
  PackedLayout,
  readSafetensors,
  tensor,
  tidy,
  writeSafetensors,
  type SafeFile,
} from '../ts/index.js';

const dir = mkdtempSync(join(tmpdir(), 'seqcore-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (): SafeFile => ({
  tensors: new Map([
    ['w', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -7]) }],
    ['ids', { dtype: 'I64', shape: [2], data: BigInt64Array.from([1n, -(2n ** 40n)]) }],
    ['h', { dtype: 'F16', shape: [1], data: Uint16Array.from([0x3c00]) }],
    ['n', { dtype: 'I32', shape: [0], data: new Int32Array(0) }],
  ]),
  metadata: { epochs: '3', note: 'ü' },
});

/** A file's bytes with its header replaced by `header` (padded as the format asks). */
function withHeader(header: object, data: Uint8Array): Uint8Array {
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json);
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

describe('safetensors', () => {
  it('writes the format by its definition and reads back every dtype and the metadata', () => {
    const bytes = encodeSafetensors(sample());
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
    expect(header.__metadata__).toEqual({ epochs: '3', note: 'ü' });
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.ids).toEqual({ dtype: 'I64', shape: [2], data_offsets: [24, 40] });
    expect(bytes.length).toBe(8 + n + 24 + 16 + 2);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual(sample().metadata);
    expect([...back.tensors.keys()]).toEqual(['w', 'ids', 'h', 'n']);
    for (const [name, t] of sample().tensors) expect(back.tensors.get(name), name).toEqual(t);
  });

  it('refuses malformed files, naming the file and the tensor', () => {
    const f = join(dir, 'bad.safetensors');
    const data = new Uint8Array(8);
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /5 bytes, shorter than the 8-byte header length/],
      [encodeSafetensors(sample()).subarray(0, 20), /the header length \d+ runs past the file's 20 bytes/],
      [withHeader({ a: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }, data), /tensor 'a' has dtype "BF16"/],
      [withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data), /tensor 'a': shape \[3\] of F32 needs 12 bytes, data_offsets give 8/],
      [withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data), /tensor 'a' starts at byte 4 of the data, expected 0/],
      [withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data), /the tensors take 4 bytes, the file has 8 after the header/],
      [withHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data), /tensor 'a' has shape \[-1\]/],
      [withHeader({ __metadata__: { k: 1 } }, new Uint8Array(0)), /metadata 'k' is not a string/],
      [withHeader([1, 2], new Uint8Array(0)), /the header is not a JSON object/],
    ];
    for (const [bytes, why] of cases) {
      writeFileSync(f, bytes);
      expect(() => readSafetensors(f)).toThrow(new RegExp(`^${f.replace(/[.]/g, '\\.')}: not a valid safetensors file: ${why.source}`));
    }
  });

  it('a module saved and loaded into a fresh one computes the same; a mismatch names the file and parameter', async () => {
    const path = join(dir, 'gru.safetensors');
    const layout = PackedLayout.fromLengths([4, 2, 1]);
    const x = tensor(
      Float32Array.from({ length: layout.total * 5 }, (_, i) => Math.cos(i)),
      [layout.total, 5],
    ).keep();
    manualSeed(1);
    const a = new GRU(5, 7, { layers: 2 });
    await a.save(path, { epochs: '12' });
    manualSeed(2);
    const b = new GRU(5, 7, { layers: 2 });
    expect(b.load(path)).toEqual({ format: 'pt', epochs: '12' });
    const run = (g: GRU): number[] => tidy(() => Array.from(g.forward(x, layout).output.toArray() as Float32Array));
    expect(run(b)).toEqual(run(a));
    const c = new GRU(5, 8, { layers: 2 });
    const before = run(c);
    expect(() => c.load(path)).toThrow(`${path}: loadStateDict: parameter 'weight_ih_l0' has shape [21, 5] in the state, [24, 5] in the model`);
    expect(run(c)).toEqual(before); // nothing was written
    const d = new GRU(5, 7); // one layer: the file's second layer matches nothing
    expect(() => d.load(path)).toThrow(`${path}: tensors 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1' match no parameter of the model`);
    for (const g of [a, b, c, d]) g.dispose();
    x.dispose();
  });

  const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  const why = torch.error
    ? '/usr/bin/python3 is not installed'
    : torch.status !== 0
      ? 'PyTorch is not installed for /usr/bin/python3 (apt-get install python3-torch)'
      : null;
  if (why) console.log(`skipping the torch.nn.GRU check: ${why}`);
  it.skipIf(why !== null)(
    'a GRU saved by seqcore loads into torch.nn.GRU (load_state_dict, strict) and gives the same outputs',
    async () => {
      const [E, H, L, T, B] = [5, 7, 2, 4, 3];
      manualSeed(3);
      const gru = new GRU(E, H, { layers: L });
      // Equal lengths: the packed rows are time-major, (T, B, ·) as torch.nn.GRU takes them.
      const layout = PackedLayout.fromLengths(new Array(B).fill(T));
      const xs = Float32Array.from({ length: T * B * E }, (_, i) => Math.sin(0.7 * i));
      const y = tidy(() => gru.forward(tensor(xs, [T * B, E]), layout).output.toArray() as Float32Array);
      const model = join(dir, 'torch-gru.safetensors'),
        inputs = join(dir, 'torch-inputs.safetensors');
      await gru.save(model, { input_size: String(E), hidden_size: String(H), num_layers: String(L) });
      writeSafetensors(inputs, {
        tensors: new Map([
          ['x', { dtype: 'F32', shape: [T, B, E], data: xs }],
          ['y', { dtype: 'F32', shape: [T, B, H], data: y }],
        ]),
        metadata: {},
      });
      const r = spawnSync('/usr/bin/python3', ['test/torch_load_gru.py', model, inputs], {
        encoding: 'utf8',
        env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { maxError: number; params: string[] };
      expect(out.params).toEqual(['bias_hh_l0', 'bias_hh_l1', 'bias_ih_l0', 'bias_ih_l1', 'weight_hh_l0', 'weight_hh_l1', 'weight_ih_l0', 'weight_ih_l1']);
      // float32 on both sides, summed in other orders
      expect(out.maxError).toBeLessThan(1e-5);
      expect(readFileSync(model).length).toBeGreaterThan(8);
      gru.dispose();
    },
    60_000,
  );
});
