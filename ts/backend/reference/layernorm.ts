// Layer normalisation over the last axis: biased variance, rstd = 1/√(var + eps).
import { registerKernels } from '../registry.js';
import type { Tensor } from '../../tensor.js';
import { refData } from './backend.js';
import { rowsCols } from '../backend.js';

function checkShapes(x: Tensor, gamma: Tensor, mean: Tensor, rstd: Tensor, what: string): [number, number] {
  const [rows, D] = rowsCols(x);
  if (gamma.size !== D) throw new TypeError(`reference ${what}: ${gamma.describe()} does not match the last axis of ${x.describe()}`);
  if (mean.size !== rows || rstd.size !== rows)
    throw new TypeError(`reference ${what}: ${mean.describe()} / ${rstd.describe()} need ${rows} elements (rows of ${x.describe()})`);
  return [rows, D];
}

function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, y: Tensor, mean: Tensor, rstd: Tensor, eps: number): void {
  const [rows, D] = checkShapes(x, gamma, mean, rstd, 'layerNorm');
  const X = refData(x),
    G = refData(gamma),
    B = refData(beta),
    Y = refData(y);
  const MU = refData(mean),
    RS = refData(rstd);
  for (let r = 0; r < rows; r++) {
    const o = r * D;
    let s = 0;
    for (let j = 0; j < D; j++) s += X[o + j]!;
    const mu = s / D;
    let ss = 0;
    for (let j = 0; j < D; j++) ss += (X[o + j]! - mu) ** 2;
    const rs = 1 / Math.sqrt(ss / D + eps);
    for (let j = 0; j < D; j++) Y[o + j] = (X[o + j]! - mu) * rs * G[j]! + B[j]!;
    MU[r] = mu;
    RS[r] = rs;
  }
}

/** dx = rstd·(g·dy − mean(g·dy) − x̂·mean(g·dy·x̂)); dgamma = Σ dy·x̂, dbeta = Σ dy (overwritten). */
function layerNormGrad(dy: Tensor, x: Tensor, gamma: Tensor, mean: Tensor, rstd: Tensor, dx: Tensor, dgamma: Tensor, dbeta: Tensor): void {
  const [rows, D] = checkShapes(x, gamma, mean, rstd, 'layerNormGrad');
  const DY = refData(dy),
    X = refData(x),
    G = refData(gamma),
    MU = refData(mean),
    RS = refData(rstd);
  const DX = refData(dx);
  const dg = new Float64Array(D),
    db = new Float64Array(D);
  const xhat = new Float64Array(D);
  for (let r = 0; r < rows; r++) {
    const o = r * D;
    const m = MU[r]!,
      rs = RS[r]!;
    let a = 0,
      c = 0;
    for (let j = 0; j < D; j++) {
      const xh = (X[o + j]! - m) * rs;
      const g = G[j]! * DY[o + j]!;
      xhat[j] = xh;
      a += g;
      c += g * xh;
      dg[j] = dg[j]! + DY[o + j]! * xh;
      db[j] = db[j]! + DY[o + j]!;
    }
    const ma = a / D,
      mc = c / D;
    for (let j = 0; j < D; j++) DX[o + j] = rs * (G[j]! * DY[o + j]! - ma - xhat[j]! * mc);
  }
  refData(dgamma).set(dg);
  refData(dbeta).set(db);
}

registerKernels('reference', { layerNorm, layerNormGrad });
