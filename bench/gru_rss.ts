// Peak resident memory of one GRU workload in a fresh process:
//   node --import tsx bench/gru_rss.ts NAME THREADS STEPS  →  {"rss": MiB}
import { native } from '../ts/index.js';
import { step, WORKLOADS } from './gru_workloads.js';

const [name, threads, steps] = process.argv.slice(2);
const make = WORKLOADS[name ?? ''];
if (!make) throw new Error(`unknown workload '${name}'`);
native.setThreads(Number(threads));
const w = make();
for (let i = 0; i < Number(steps); i++) step(w);
process.stdout.write(`${JSON.stringify({ rss: process.resourceUsage().maxRSS / 1024 })}\n`);
