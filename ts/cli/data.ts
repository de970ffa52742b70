// `seqcore data …`: generate challenge-format data, ingest it into a cache, build targets.
import { parseArgs } from 'node:util';
import { generate } from '../data/generate.js';
import { ingest } from '../data/ingest.js';
import { ingestLog } from '../data/logs.js';
import { buildTargets } from '../data/targets.js';
import { lockOutput } from '../data/lock.js';
import { integer, seed } from './flags.js';

export const DATA_USAGE = `       seqcore data generate --clients N --out DIR [--seed S]
       seqcore data ingest --dir DIR --out FILE [--top-k K] [--before "YYYY-MM-DD HH:mm:ss"]
       seqcore data targets --dir DIR --out DIR
       seqcore data ingest-log --file F.csv|.tsv|.parquet|.txt --out FILE [--user C] [--item C] [--time C] [--event C]`;

const log = (l: string): void => {
  process.stdout.write(`${l}\n`);
};

function need(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || !v) throw new Error(`--${name} is required\n${DATA_USAGE}`);
  return v;
}

const positiveInt = (name: string, v: string | undefined): number => integer(`--${name}`, v);

export async function dataCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      clients: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      dir: { type: 'string' },
      'top-k': { type: 'string', default: '5000' },
      before: { type: 'string' },
      file: { type: 'string' },
      user: { type: 'string' },
      item: { type: 'string' },
      time: { type: 'string' },
      event: { type: 'string' },
    },
  });
  if (values.out) lockOutput(values.out); // one run at a time per output
  switch (sub) {
    case 'generate': {
      const s = await generate({ clients: positiveInt('clients', need(values, 'clients')), out: need(values, 'out'), seed: seed('--seed', values.seed), log });
      log(
        `generated ${Object.entries(s.events)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}; ${s.skus} skus, ${s.categories} categories, ${s.urls} urls; ${s.relevantClients} relevant clients`,
      );
      return 0;
    }
    case 'ingest':
      await ingest({ dir: need(values, 'dir'), out: need(values, 'out'), topK: positiveInt('top-k', values['top-k']!), before: values.before, log });
      return 0;
    case 'ingest-log': {
      const out = need(values, 'out'),
        t0 = performance.now();
      log(`ingest-log: reading ${need(values, 'file')} (DuckDB), then building the event cache`);
      const r = await ingestLog({
        file: need(values, 'file'),
        out,
        user: values.user,
        item: values.item,
        time: values.time,
        event: values.event,
        topK: positiveInt('top-k', values['top-k']!),
      });
      log(`ingest-log: ${r.clients} users, ${r.events} events → ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'targets': {
      const t = await buildTargets({ dir: need(values, 'dir'), out: need(values, 'out') });
      log(`targets: input before ${t.inputCut}, validation window from ${t.validationStart} to ${t.end}; ${t.active} active of ${t.relevant} relevant clients`);
      return 0;
    }
    default:
      process.stderr.write(`${sub ? `unknown data command '${sub}'\n` : ''}usage:\n${DATA_USAGE}\n`);
      return 2;
  }
}
