// Checkpoints: named float32 arrays with their shapes plus JSON metadata, in the columnar
// file format of ts/io/columnar.ts (written to a temporary name and renamed, so an
// interrupted save never leaves half a file). Loading checks the header (ColumnFile), then
// every array's shape against its length, and modelConfig checks that a file holds the kind
// of model a command expects (`ubp embed` given a recommender, `rec eval` given a UBP model).
import { ColumnFile, writeColumns } from '../io/columnar.js';
import { isObject } from '../io/files.js';
import { REC_MODELS, type RecModelConfig } from '../models/recommender.js';
import type { UbpConfig } from '../ubp/model.js';

export interface CheckpointData {
  meta: Record<string, unknown>;
  arrays: Map<string, { shape: number[]; data: Float32Array }>;
}

export function saveCheckpoint(path: string, ckpt: CheckpointData): void {
  const shapes = Object.fromEntries([...ckpt.arrays].map(([k, v]) => [k, v.shape]));
  writeColumns(path, { kind: 'seqcore-checkpoint', meta: ckpt.meta, shapes }, Object.fromEntries([...ckpt.arrays].map(([k, v]) => [k, v.data])));
}

export function loadCheckpoint(path: string): CheckpointData {
  const f = new ColumnFile(path);
  if (f.meta.kind !== 'seqcore-checkpoint')
    throw new Error(
      `${path}: not a seqcore checkpoint (kind ${JSON.stringify(f.meta.kind) ?? 'missing'}${f.meta.kind === 'seqcore-events' ? ': an event cache' : ''})`,
    );
  const { shapes, meta } = f.meta;
  if (!isObject(shapes) || !isObject(meta)) throw new Error(`${path}: corrupt checkpoint header: 'shapes' and 'meta' must be objects`);
  const arrays = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const name of f.names()) {
    const shape = shapes[name];
    if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0))
      throw new Error(`${path}: array '${name}' has no valid shape (${JSON.stringify(shape)?.slice(0, 60)})`);
    const data = f.readArray(name);
    if (!(data instanceof Float32Array)) throw new Error(`${path}: array '${name}' is not float32`);
    const n = (shape as number[]).reduce((p, d) => p * d, 1);
    if (n !== data.length) throw new Error(`${path}: array '${name}' has ${data.length} values, its shape [${shape.join(', ')}] needs ${n}`);
    arrays.set(name, { shape: shape as number[], data });
  }
  const orphan = Object.keys(shapes).find((k) => !arrays.has(k));
  if (orphan !== undefined) throw new Error(`${path}: corrupt checkpoint header: a shape for '${orphan}', which is not among its arrays`);
  return { meta, arrays };
}

export type ModelFamily = 'rec' | 'ubp';
type ConfigOf = { rec: RecModelConfig; ubp: Omit<UbpConfig, 'vocab'> };
const WANT = { rec: `a recommender model (${REC_MODELS.join(', ')})`, ubp: 'a UBP autoencoder model' };
/** The model files the training commands write, for the error when a file holds no model. */
const WRITTEN = { rec: "DIR/train.ckpt.best (written by 'rec train')", ubp: "OUT/model.ckpt (written by 'ubp train')" };

/** The family of a model config: a recommender names its kind, a UBP config lists its fields. */
function familyOf(c: Record<string, unknown>): ModelFamily | null {
  if (REC_MODELS.includes(c.kind as never)) return 'rec';
  if ('fields' in c) return 'ubp';
  return null;
}

/**
 * The model config a checkpoint was saved with, checked to be of `family` and well-formed;
 * an error naming the file otherwise, e.g. "m.ckpt: a rec (sasrec) checkpoint, not a UBP
 * autoencoder model".
 */
export function modelConfig<F extends ModelFamily>(path: string, ck: CheckpointData, family: F): ConfigOf[F] {
  const cfg = isObject(ck.meta.config) ? ck.meta.config : {};
  const found = familyOf(cfg);
  if (!found) throw new Error(`${path}: holds no model config (a training state?), not ${WANT[family]}; give ${WRITTEN[family]}`);
  if (found !== family) throw new Error(`${path}: ${found === 'rec' ? `a rec (${String(cfg.kind)})` : 'a UBP autoencoder'} checkpoint, not ${WANT[family]}`);
  const bad = (field: string, what: string): Error =>
    new Error(`${path}: corrupt model config: ${field} ${JSON.stringify(cfg[field])?.slice(0, 60)} is not ${what}`);
  const posInt = (field: string, min = 1): void => {
    if (!Number.isSafeInteger(cfg[field]) || (cfg[field] as number) < min) throw bad(field, `an integer ≥ ${min}`);
  };
  const rate = (field: string): void => {
    if (typeof cfg[field] !== 'number' || !((cfg[field] as number) >= 0 && (cfg[field] as number) < 1)) throw bad(field, 'in [0, 1)');
  };
  if (family === 'rec') {
    posInt('items', 2);
    for (const k of ['hidden', 'blocks', 'heads', 'maxLen', 'ffnMultiplier']) posInt(k);
    rate('dropout');
    rate('attentionDropout');
    if (cfg.activation !== 'gelu' && cfg.activation !== 'relu') throw bad('activation', "'gelu' or 'relu'");
  } else {
    if (!Array.isArray(cfg.fields) || !cfg.fields.length || !cfg.fields.every((f) => typeof f === 'string')) throw bad('fields', 'a list of field names');
    for (const k of ['embed', 'hidden', 'layers']) posInt(k);
    rate('dropout');
    if (cfg.combine !== 'sum' && cfg.combine !== 'concat') throw bad('combine', "'sum' or 'concat'");
  }
  return cfg as ConfigOf[F];
}
