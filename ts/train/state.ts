// Saving and restoring a whole training run — model parameters, Adam moments, the global
// RNG and the caller's counters — so that a resumed run continues exactly.
import type { Module } from '../nn/module.js';
import type { Adam } from '../optim/adam.js';
import { globalRng, restoreRng, rngState } from '../rng.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';

function restoreParams(path: string, ck: ReturnType<typeof loadCheckpoint>, model: Module): void {
  try {
    model.loadStateDict(new Map([...ck.arrays].filter(([k]) => k.startsWith('model.')).map(([k, v]) => [k.slice(6), v])));
  } catch (e) {
    throw new Error(`${path}: does not fit this model: ${(e as Error).message}`, { cause: e });
  }
}

export async function saveTraining(path: string, model: Module, opt: Adam, meta: Record<string, unknown>): Promise<void> {
  const arrays = new Map([...await model.stateDict()].map(([k, v]) => [`model.${k}`, v]));
  (await opt.stateDict()).moments.forEach((mv, i) => {
    if (!mv) return;
    arrays.set(`adam.${i}.m`, { shape: [mv.m.length], data: mv.m });
    arrays.set(`adam.${i}.v`, { shape: [mv.v.length], data: mv.v });
  });
  saveCheckpoint(path, { meta: { ...meta, optStep: opt.stepCount, rng: rngState(globalRng()) }, arrays });
}

/** Restores model, optimizer and global RNG; returns the caller's counters. */
export function loadTraining(path: string, model: Module, opt: Adam): Record<string, unknown> {
  const ck = loadCheckpoint(path);
  restoreParams(path, ck, model);
  const moments = model.parameters().map((_, i) => {
    const m = ck.arrays.get(`adam.${i}.m`), v = ck.arrays.get(`adam.${i}.v`);
    return m && v ? { m: m.data, v: v.data } : null;
  });
  opt.loadStateDict({ step: Number(ck.meta.optStep), moments });
  restoreRng(globalRng(), ck.meta.rng as number[]);
  return ck.meta;
}

/** Only the model's parameters (e.g. the best model for embedding). */
export function loadModel(path: string, model: Module): Record<string, unknown> {
  const ck = loadCheckpoint(path);
  restoreParams(path, ck, model);
  return ck.meta;
}
