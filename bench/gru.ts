// GRU suite: W1–W4 (bench/gru_workloads.ts) beside torch.nn.GRU, sequences/s, effective
// GFLOP/s and peak RSS of each side in a fresh process.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native } from '../ts/index.js';
import { bennyCase } from './benny_case.js';
import { lengthsOf, step, WORKLOADS } from './gru_workloads.js';
import { TorchReference } from './reference.js';
import { report, type Row, type SuiteOptions } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ABOUT: Record<string, string> = {
  W1: 'train step, GRU 64→256, batch 256 × 64 steps, fwd+bwd+Adam',
  W2: 'autoencoder step, emb 20k×64 → GRU 256 → GRU 256 (teacher forcing) → linear 20k → CE, batch 128 × 32',
  W3: 'inference, GRU 64→256, batch 1024 × 64 steps',
  W4: 'W1 with challenge-like lengths (log-normal, median 2, p90 18, p99 105, ≤ 128)',
};

/** Peak RSS (MiB) of a fresh process after `steps` steps, seqcore and PyTorch. */
function peakRss(name: string, threads: number, steps: number, torch: TorchReference): { ours: number; ref: number | null } {
  const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number | null => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 1 << 20 });
    if (r.status !== 0) return null;
    return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { rss: number }).rss;
  };
  const ours = run(process.execPath, ['--import', 'tsx', join(HERE, 'gru_rss.ts'), name, String(threads), String(steps)]);
  if (ours === null) throw new Error(`measuring the RSS of ${name} failed`);
  const lengths = lengthsOf(name);
  const ref = torch.available
    ? run(
        '/usr/bin/python3',
        [join(HERE, 'torch_ref.py'), '--rss', String(threads), name, String(steps), ...(lengths ? [JSON.stringify(lengths)] : [])],
        torch.env,
      )
    : null;
  return { ours, ref };
}

export async function gruSuite(opts: SuiteOptions): Promise<void> {
  native.setThreads(opts.threads);
  const peak = native.peakGflops(0.5, opts.threads);
  const torch = await TorchReference.start(opts.threads);
  const rows: Row[] = [];
  try {
    for (const name of Object.keys(WORKLOADS)) {
      const w = WORKLOADS[name]!();
      let ours = 0,
        refSecs: number | null = null;
      for (let round = 0; round < opts.rounds; round++) {
        ours = Math.max(ours, await bennyCase(`gru ${name}`, () => step(w), opts));
        const r = await torch.run({ suite: 'gru', case: name, lengths: lengthsOf(name), seconds: opts.seconds });
        if (r !== null) refSecs = Math.min(refSecs ?? Infinity, r);
      }
      const seqs = w.seqs,
        flops = w.flops;
      w.dispose();
      native.emptyCache();
      const rss = peakRss(name, opts.threads, 3, torch);
      const gf = (ours * flops) / 1e9,
        refGf = refSecs ? flops / refSecs / 1e9 : null;
      rows.push({
        suite: 'gru',
        case: name,
        ours: ours * seqs,
        reference: refSecs ? seqs / refSecs : null,
        unit: 'seq/s',
        extra: {
          'GFLOP/s (% peak)': `${gf.toFixed(0)} (${((100 * gf) / peak).toFixed(0)}%)`,
          'torch GFLOP/s (% peak)': refGf ? `${refGf.toFixed(0)} (${((100 * refGf) / peak).toFixed(0)}%)` : '-',
          'peak RSS MiB': rss.ours.toFixed(0),
          'torch peak RSS MiB': rss.ref === null ? '-' : rss.ref.toFixed(0),
        },
      });
    }
  } finally {
    torch.close();
  }
  report(rows, opts.json, [
    `gru: seqcore ${native.isa().active}, ${opts.threads} threads; measured FP32 peak ${peak.toFixed(0)} GFLOP/s; ` +
      `best of ${opts.rounds} alternating rounds; RSS: a fresh process after 3 steps`,
    ...Object.entries(ABOUT).map(([k, v]) => `  ${k}: ${v}`),
    `reference: ${torch.label}`,
  ]);
}
