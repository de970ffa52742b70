// What every training loop (the UBP autoencoder, the recommenders, the example) does the same
// way around its steps: resume from its checkpoint, save it at the end of each epoch, every
// CHECKPOINT_SECONDS within one and on Ctrl-C; and stop early once the validation metric has
// not improved for `patience` epochs. Each loop keeps its own counters; these keep the rest.
import { existsSync } from 'node:fs';
import type { Module } from '../nn/module.js';
import type { Adam } from '../optim/adam.js';
import { CHECKPOINT_SECONDS, every } from './interrupt.js';
import { loadTraining, saveTraining } from './state.js';

/**
 * A run's training-state file (model, optimizer, RNG and the loop's counters). Without a
 * path nothing is saved and nothing resumed. `settings` (what fixes the run's batches and
 * model) are saved with every checkpoint; a resume must have the same (loadTraining).
 */
export class RunCheckpoint {
  private readonly due: () => boolean;

  constructor(
    readonly path: string | undefined,
    private readonly model: Module,
    private readonly opt: Adam,
    private readonly settings: Record<string, unknown>,
    /** Seconds between mid-epoch checkpoints (0: after every step). */
    seconds = CHECKPOINT_SECONDS,
  ) {
    this.due = every(seconds);
  }

  /** The loop's counters when `resume` is asked and the file exists (model, optimizer and RNG restored); null to start afresh. */
  resume(resume: boolean | undefined): Record<string, unknown> | null {
    if (!resume || !this.path || !existsSync(this.path)) return null;
    return loadTraining(this.path, this.model, this.opt, this.settings);
  }

  /** Saves the state with the loop's counters `meta`. */
  async save(meta: Record<string, unknown>): Promise<void> {
    if (this.path) await saveTraining(this.path, this.model, this.opt, { ...meta, settings: this.settings });
  }

  /** Saves when CHECKPOINT_SECONDS (or the constructor's seconds) have passed since the last such save. */
  async saveIfDue(meta: () => Record<string, unknown>): Promise<void> {
    if (this.path && this.due()) await this.save(meta());
  }

  /** The line that ends an interrupted run: where it stopped, and how to go on. */
  interrupted(where: string): string {
    const saved = this.path ? `checkpoint saved to ${this.path} (rerun with --resume)` : 'no checkpoint file was given, so nothing was saved';
    return `interrupted at ${where}; ${saved}`;
  }
}

/** Early stopping on a validation metric: the best value, its epoch and the epochs since, as a checkpoint keeps them. */
export interface StoppingState {
  best: number;
  bestEpoch: number;
  bad: number;
}

export class EarlyStopping implements StoppingState {
  best: number;
  bestEpoch = -1;
  bad = 0;

  constructor(
    readonly patience: number,
    /** 'min' for a loss, 'max' for a score. */
    readonly mode: 'min' | 'max',
    saved?: Partial<StoppingState>,
  ) {
    this.best = mode === 'min' ? Infinity : -Infinity;
    // A checkpoint written before Infinity survived JSON holds null for "no validation yet";
    // as null, every value would count as no improvement (issue #15).
    if (saved) {
      this.best = saved.best ?? this.best;
      this.bestEpoch = saved.bestEpoch ?? -1;
      this.bad = saved.bad ?? 0;
    }
  }

  /**
   * Records an epoch's validation value; true when it is the best so far. Otherwise the epoch
   * counts toward the patience unless `counts` is false (an epoch not expected to improve).
   */
  record(value: number, epoch: number, counts = true): boolean {
    if (this.mode === 'min' ? value < this.best : value > this.best) {
      this.best = value;
      this.bestEpoch = epoch;
      this.bad = 0;
      return true;
    }
    if (counts) this.bad++;
    return false;
  }

  /** The patience is spent. */
  get stop(): boolean {
    return this.bad >= this.patience;
  }
}
