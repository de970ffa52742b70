// Checkpoints: named float32 arrays with their shapes plus JSON metadata, in the columnar
// file format of ts/data/columnar.ts (written to a temporary name and renamed, so an
// interrupted save never leaves half a file).
import { ColumnFile, writeColumns } from '../data/columnar.js';

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
  if (f.meta.kind !== 'seqcore-checkpoint') throw new Error(`${path}: not a seqcore checkpoint (kind ${String(f.meta.kind)})`);
  const shapes = f.meta.shapes as Record<string, number[]>;
  const arrays = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const name of f.names()) {
    const data = f.readArray(name);
    if (!(data instanceof Float32Array)) throw new Error(`${path}: array '${name}' is not float32`);
    arrays.set(name, { shape: shapes[name] ?? [data.length], data });
  }
  return { meta: f.meta.meta as Record<string, unknown>, arrays };
}
