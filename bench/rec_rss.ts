// Resident memory of `seqcore rec train` epoch by epoch (issue 15: with shapes that change
// every batch, the freed-block cache must not grow the process after the first epoch):
//   npm run build:ts && node --import tsx bench/rec_rss.ts --sequences Beauty.txt --epochs 20 [rec train flags…]
// Prints one line per epoch (RSS from /proc, as the epoch line appears) and the growth after epoch 1.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = mkdtempSync(join(tmpdir(), 'seqcore-rec-rss-'));
const child = spawn(process.execPath, ['dist/cli/main.js', 'rec', 'train', '--out', out, '--patience', '1000', ...process.argv.slice(2)], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const rssMiB = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
const rows: number[] = [];
let pending = '';
child.stderr.on('data', (d: Buffer) => {
  pending += d.toString();
  const lines = pending.split('\n');
  pending = lines.pop()!;
  for (const l of lines) {
    if (!/^epoch \d+: /.test(l)) continue;
    rows.push(rssMiB());
    process.stdout.write(
      `epoch ${rows.length}: RSS ${rows.at(-1)!.toFixed(0)} MiB  ` +
        `(${l.slice(l.indexOf(':') + 2, l.indexOf('valid')).trim()}; ${/[\d.]+ training seq\/s/.exec(l)?.[0] ?? ''})\n`,
    );
  }
});
child.on('exit', (code) => {
  rmSync(out, { recursive: true, force: true });
  if (code !== 0 || rows.length < 2) {
    process.stderr.write(`rec train exited with ${code}\n${pending}\n`);
    process.exit(1);
  }
  const growth = (rows.at(-1)! - rows[0]!) / rows[0]!;
  process.stdout.write(
    `RSS after epoch 1 ${rows[0]!.toFixed(0)} MiB, after epoch ${rows.length} ${rows.at(-1)!.toFixed(0)} MiB, ` +
      `max ${Math.max(...rows).toFixed(0)} MiB: growth ${(100 * growth).toFixed(1)} %\n`,
  );
});
