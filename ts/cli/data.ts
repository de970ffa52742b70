// `seqcore data …`: generate challenge-format data, ingest it into a cache, build targets.
import type { Command } from 'commander';
import { DATASETS, fetchDataset } from '../data/fetch.js';
import { generate } from '../data/generate.js';
import { ingest } from '../data/ingest.js';
import { ingestLog } from '../data/logs.js';
import { buildTargets } from '../data/targets.js';
import { lockOutput } from '../io/lock.js';
import { integer, seed } from './flags.js';
import { examples, withThreads } from './options.js';
import { log } from './output.js';

export function addDataCommand(program: Command): void {
  const data = program.command('data').description('generate, ingest and fetch data; build the challenge targets');
  examples(
    data
      .command('fetch')
      .description('download a public dataset from its source, checksum-verified and resumable')
      .argument('<dataset>', Object.keys(DATASETS).join(' | '))
      .option('--into <dir>', 'folder to put it in (default: SEQCORE_DATA/DATASET, SEQCORE_DATA defaulting to ~/.cache/seqcore)')
      .option('--mirror <url>', 'fetch every file from this mirror (URL/FILE) instead of its source')
      .addHelpText(
        'after',
        `\nDatasets:\n${Object.entries(DATASETS)
          .map(([k, d]) => `  ${k}: ${d.about}`)
          .join('\n')}`,
      )
      .action(async (name: string, o: { into?: string; mirror?: string }) => {
        const dir = await fetchDataset(name, { dir: o.into, baseUrl: o.mirror, log });
        log(`${name} → ${dir}`);
      }),
    'seqcore data fetch amazon-beauty',
    'seqcore rec train --sequences ~/.cache/seqcore/amazon-beauty/Beauty.txt --out runs/sasrec',
  );
  examples(
    withThreads(data.command('generate').description('generate challenge-format data (parquet) from a Markov model of shoppers'))
      .requiredOption('--clients <n>', 'clients to generate')
      .requiredOption('--out <dir>', 'folder to write input/ and the relevant clients to')
      .option('--seed <n>', 'random seed', '1')
      .action(async (o: { clients: string; out: string; seed: string }) => {
        lockOutput(o.out); // one run at a time per output
        const s = await generate({ clients: integer('--clients', o.clients), out: o.out, seed: seed('--seed', o.seed), log });
        log(
          `generated ${Object.entries(s.events)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}; ${s.skus} skus, ${s.categories} categories, ${s.urls} urls; ${s.relevantClients} relevant clients`,
        );
      }),
    'seqcore data generate --clients 20000 --out runs/data',
  );
  examples(
    withThreads(data.command('ingest').description("read a challenge-format folder into seqcore's event cache (tokens, sequences, columns)"))
      .requiredOption('--dir <dir>', 'challenge-format data folder: the event parquet files and relevant_clients.npy')
      .requiredOption('--out <file>', 'event cache to write')
      .option('--top-k <k>', 'most frequent ids kept per field; the rest share one out-of-vocabulary id', '5000')
      .option('--before <time>', 'keep only events before this time, "YYYY-MM-DD HH:mm:ss" (the input cut)')
      .action(async (o: { dir: string; out: string; topK: string; before?: string }) => {
        lockOutput(o.out);
        await ingest({ dir: o.dir, out: o.out, topK: integer('--top-k', o.topK), before: o.before, log });
      }),
    'seqcore data ingest --dir runs/data --out runs/data/events.cache --before "2022-10-12 00:00:00"',
  );
  examples(
    withThreads(data.command('targets').description('split the log as the challenge does and write the validation targets'))
      .requiredOption('--dir <dir>', 'challenge-format data folder')
      .requiredOption('--out <dir>', 'folder to write the targets to')
      .action(async (o: { dir: string; out: string }) => {
        lockOutput(o.out);
        const t = await buildTargets({ dir: o.dir, out: o.out });
        log(
          `targets: input before ${t.inputCut}, validation window from ${t.validationStart} to ${t.end}; ${t.active} active of ${t.relevant} relevant clients`,
        );
      }),
    'seqcore data targets --dir runs/data --out runs/data/targets',
  );
  examples(
    withThreads(data.command('ingest-log').description('read any interaction log (CSV, TSV, Parquet or one line per user) into an event cache'))
      .requiredOption('--file <file>', 'the log: .csv, .tsv, .parquet or .txt')
      .requiredOption('--out <file>', 'event cache to write')
      .option('--user <column>', 'user column of a table', 'user')
      .option('--item <column>', 'item column of a table', 'item')
      .option('--time <column>', 'timestamp column of a table', 'timestamp')
      .option('--event <column>', 'event type column of a table (default: none, every event is one type)')
      .option('--top-k <k>', 'most frequent items kept; the rest share one out-of-vocabulary id', '5000')
      .action(async (o: { file: string; out: string; user?: string; item?: string; time?: string; event?: string; topK: string }) => {
        lockOutput(o.out);
        const t0 = performance.now();
        log(`ingest-log: reading ${o.file} (DuckDB), then building the event cache`);
        const r = await ingestLog({ file: o.file, out: o.out, user: o.user, item: o.item, time: o.time, event: o.event, topK: integer('--top-k', o.topK) });
        log(`ingest-log: ${r.clients} users, ${r.events} events → ${o.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }),
    'seqcore data ingest-log --file clicks.parquet --out runs/clicks.cache --user session --item item_id --time ts --event type',
  );
}
