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
  const arrays = new Map([...(await model.stateDict())].map(([k, v]) => [`model.${k}`, v]));
  (await opt.stateDict()).moments.forEach((mv, i) => {
    if (!mv) return;
    arrays.set(`adam.${i}.m`, { shape: [mv.m.length], data: mv.m });
    arrays.set(`adam.${i}.v`, { shape: [mv.v.length], data: mv.v });
  });
  saveCheckpoint(path, { meta: { ...meta, optStep: opt.stepCount, rng: rngState(globalRng()) }, arrays });
}

/**
 * Restores model, optimizer and global RNG; returns the caller's counters. `settings` (saved
 * in the meta under that name) must equal those the checkpoint was written with: resuming
 * with another batch size or seed would skip the wrong batches and silently train another run.
 */
export function loadTraining(path: string, model: Module, opt: Adam, settings?: Record<string, unknown>): Record<string, unknown> {
  const ck = loadCheckpoint(path);
  if (settings) sameSettings(path, ck.meta.settings as Record<string, unknown> | undefined, settings);
  restoreParams(path, ck, model);
  const moments = model.parameters().map((_, i) => {
    const m = ck.arrays.get(`adam.${i}.m`),
      v = ck.arrays.get(`adam.${i}.v`);
    return m && v ? { m: m.data, v: v.data } : null;
  });
  opt.loadStateDict({ step: Number(ck.meta.optStep), moments });
  restoreRng(globalRng(), ck.meta.rng as number[]);
  return ck.meta;
}

function sameSettings(path: string, saved: Record<string, unknown> | undefined, now: Record<string, unknown>): void {
  if (saved === undefined) return; // written before settings were saved
  const show = (v: unknown): string => JSON.stringify(v) ?? 'none';
  const diff = Object.keys(now).filter((k) => show(saved[k]) !== show(now[k]));
  if (diff.length)
    throw new Error(
      `${path}: written by a run with other settings (${diff.map((k) => `${k} ${show(saved[k])} there, ${show(now[k])} now`).join('; ')}): ` +
        'resume with the same settings, or start afresh in another output folder',
    );
}

/** Only the model's parameters (e.g. the best model for embedding). */
export function loadModel(path: string, model: Module): Record<string, unknown> {
  const ck = loadCheckpoint(path);
  restoreParams(path, ck, model);
  return ck.meta;
}
