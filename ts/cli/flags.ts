// Numbers from the command line and from config files. A value that is not a number, not an
// integer where one is needed, or outside its range is an error naming the flag (or the file
// and key) and the value: never NaN passed on, never a silent fallback (`--seed abc` used to
// train with seed 0), never a size that only the kernel's OOM killer refuses.

export interface Range {
  min?: number;
  max?: number;
  integer?: boolean;
  /** The bounds themselves are excluded. */
  above?: boolean;
  below?: boolean;
}

/** Largest count a flag accepts where none is stated. */
export const MAX_COUNT = 1e9;
/** Bounds of model sizes (widths, lengths; depths): far above any published model, far below an overflow. */
export const MAX_WIDTH = 65536;
export const MAX_DEPTH = 256;

/** A string (a flag's, or a config's) as given, in quotes; any other config value as JSON. */
const shown = (raw: unknown): string => (typeof raw === 'string' ? `'${raw}'` : JSON.stringify(raw));

function describe(r: Range): string {
  const lo = r.min === undefined ? '' : `${r.above ? '>' : '≥'} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.below ? '<' : '≤'} ${r.max}`;
  return `${r.integer ? 'an integer' : 'a number'}${lo || hi ? ` ${[lo, hi].filter(Boolean).join(' and ')}` : ''}`;
}

/** `raw` (a flag's string or a config's JSON value) as a number in `r`; `label` is '--epochs' or 'FILE: "epochs"'. */
export function number(label: string, raw: unknown, r: Range): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  const ok =
    Number.isFinite(n) &&
    (!r.integer || Number.isInteger(n)) &&
    (r.min === undefined || (r.above ? n > r.min : n >= r.min)) &&
    (r.max === undefined || (r.below ? n < r.max : n <= r.max));
  if (!ok) throw new Error(`${label} must be ${describe(r)}, got ${shown(raw)}`);
  return n;
}

/** An integer in [min, max]. */
export const integer = (label: string, raw: unknown, min = 1, max = MAX_COUNT): number => number(label, raw, { integer: true, min, max });

/** A seed: an integer in [0, 2³² − 1]. */
export const seed = (label: string, raw: unknown): number => integer(label, raw, 0, 0xffffffff);

/** A probability-like fraction in [0, 1), or (0, 1) with `open`. */
export const fraction = (label: string, raw: unknown, open = false): number => number(label, raw, { min: 0, max: 1, above: open, below: true });

export function oneOf<T extends string>(label: string, raw: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(raw as T)) throw new Error(`${label} must be one of ${allowed.join(', ')}, got ${shown(raw)}`);
  return raw as T;
}
