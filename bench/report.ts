// Output of every suite: a table for people, or with --json one object per line:
// {"suite","case","ours","reference","ratio","unit"}, ratio = ours ÷ reference (> 1: seqcore faster).

export interface SuiteOptions {
  json: boolean;
  threads: number;
  /** benny's maxTime per case, seconds. */
  seconds: number;
  /** Alternating rounds of seqcore and the reference; each side reports its best. */
  rounds: number;
  /** The backend measured (suites that support others than cpu: gru). */
  backend: string;
}

export interface Row {
  suite: string;
  case: string;
  ours: number;
  reference: number | null;
  unit: string;
  /** Extra columns for the table only (e.g. % of peak). */
  extra?: Record<string, string>;
}

export function report(rows: Row[], json: boolean, header: string[]): void {
  if (json) {
    for (const r of rows) {
      const line = {
        suite: r.suite,
        case: r.case,
        ours: round(r.ours),
        reference: r.reference === null ? null : round(r.reference),
        ratio: r.reference ? round(r.ours / r.reference) : null,
        unit: r.unit,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    return;
  }
  for (const h of header) process.stdout.write(`${h}\n`);
  const extras = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))];
  const cols = ['case', `seqcore (${rows[0]?.unit ?? ''})`, ...extras, 'reference', 'ratio'];
  const lines = rows.map((r) => [
    r.case,
    r.ours.toFixed(1),
    ...extras.map((e) => r.extra?.[e] ?? ''),
    r.reference === null ? '-' : r.reference.toFixed(1),
    r.reference ? (r.ours / r.reference).toFixed(2) : '-',
  ]);
  const w = cols.map((c, i) => Math.max(c.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]): string => `| ${l.map((x, i) => x.padEnd(w[i]!)).join(' | ')} |`;
  process.stdout.write(`${fmt(cols)}\n|${w.map((n) => '-'.repeat(n + 2)).join('|')}|\n${lines.map(fmt).join('\n')}\n`);
}

/** What a caught value says: an Error's message, else the value as text. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Runs fn with stdout sent to stderr (benny draws its progress on stdout). */
export async function quietStdout<T>(on: boolean, fn: () => Promise<T>): Promise<T> {
  if (!on) return fn();
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}
