// The GRU against torch.nn.GRU on one backend: test/fixtures/gru_golden.json holds PyTorch's
// float64 outputs, final states and every gradient of a 2-layer GRU over a packed batch of
// variable lengths (made by test/fixtures/make_gru_fixture.py), and the backend must match them.
import { readFileSync } from 'node:fs';
import { onBackend } from '../../ts/backend/use.js';
import { backward, GRU, ops, PackedLayout, tensor, tidy } from '../../ts/index.js';
import { dispose, expectClose, f64 } from '../numeric.js';
import type { Case } from './case.js';

interface Golden {
  E: number;
  H: number;
  L: number;
  T: number;
  lengths: number[];
  params: Record<string, number[]>;
  x: number[];
  h0: number[];
  w_out: number[];
  w_hn: number[];
  out: number[];
  hn: number[];
  grad_x: number[];
  grad_h0: number[];
  grad_params: Record<string, number[]>;
}

// Beside this file in test/, and beside its compiled copy (bench/device/pack.sh copies it).
const FIXTURE = new URL('../fixtures/gru_golden.json', import.meta.url);

export function goldenCase(backend: string): Case {
  return { name: 'gru matches torch.nn.GRU (golden fixture: outputs, final states, every gradient)', run: () => checkGolden(backend) };
}

async function checkGolden(backend: string): Promise<void> {
  const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Golden;
  const { E, H, L, T, lengths } = fx,
    B = lengths.length,
    layout = PackedLayout.fromLengths(lengths);
  await onBackend(backend, async () => {
    const gru = new GRU(E, H, { layers: L });
    const shapes = new Map(gru.namedParameters().map(([n, p]) => [n, p.shape]));
    gru.loadStateDict(new Map(Object.entries(fx.params).map(([k, v]) => [k, { shape: [...shapes.get(k)!], data: Float32Array.from(v) }])));
    const x = tensor(Float32Array.from(fx.x), [B, T, E]),
      h0 = tensor(Float32Array.from(fx.h0), [L, B, H]);
    x.requiresGrad = true;
    h0.requiresGrad = true;
    try {
      const [out, hn] = tidy(() => {
        const r = gru.forward(ops.packPadded(x, layout), layout, h0);
        const out = ops.unpackPadded(r.output, layout, T);
        backward(
          ops.add(ops.sum(ops.mul(out, tensor(Float32Array.from(fx.w_out), [B, T, H]))), ops.sum(ops.mul(r.hn, tensor(Float32Array.from(fx.w_hn), [L, B, H])))),
        );
        return [out.keep(), r.hn.keep()];
      });
      const label = `${backend} gru golden`;
      expectClose(await f64(out), fx.out, 1e-5, 1e-5, `${label} output`);
      expectClose(await f64(hn), fx.hn, 1e-5, 1e-5, `${label} hn`);
      expectClose(await f64(x.grad!), fx.grad_x, 1e-5, 1e-4, `${label} grad x`);
      expectClose(await f64(h0.grad!), fx.grad_h0, 1e-5, 1e-4, `${label} grad h0`);
      for (const [name, p] of gru.namedParameters()) expectClose(await f64(p.grad!), fx.grad_params[name]!, 1e-5, 1e-4, `${label} grad ${name}`);
      dispose([out, hn]);
    } finally {
      dispose([x, h0]);
      gru.dispose();
    }
  });
}
