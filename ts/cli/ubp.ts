// `seqcore ubp …`: Universal Behavioral Profiles.
import { Option, type Command } from 'commander';
import { evaluateEmbeddings, scoreSum } from '../ubp/universal.js';
import { UBP_CONFIGS, type UbpConfig } from '../ubp/model.js';
import { embedUbp, trainUbp } from '../ubp/train.js';
import { ablation, ablationTable } from '../ubp/ablation.js';
import { aggregatedBaseline } from '../ubp/aggregated_baseline.js';
import { countFeatures } from '../ubp/counts.js';
import { runPipeline } from '../ubp/pipeline.js';
import { scoreTable, writeReport } from '../ubp/report.js';
import { autoencoderMembers, computeMembers, DEFAULT_MEMBERS, ensembleOf, MEMBER_COLUMNS, MEMBER_NAMES, parseMembers } from '../ubp/members.js';
import { endpoint, withEndpoint, type EndpointFlags } from './profiles.js';
import { EventCache, FIELDS } from '../data/ingest.js';
import { lockOutput } from '../io/lock.js';
import { join } from 'node:path';
import { readConfig } from './config.js';
import { isObject } from '../io/files.js';
import * as flags from './flags.js';
import { MAX_COUNT, MAX_DEPTH, MAX_WIDTH } from './flags.js';
import { CHECKPOINT_SECONDS } from '../train/interrupt.js';
import { endWith, examples, renamed, usageError, withBackend, withThreads } from './options.js';
import { log } from './output.js';

const int = (name: string, v: string | undefined, max = MAX_COUNT): number => flags.integer(`--${name}`, v, 1, max);

// oneOf, not `in`: 'toString' in UBP_CONFIGS is true (inherited), and would get as far as training.
const PRESETS = Object.keys(UBP_CONFIGS) as (keyof typeof UBP_CONFIGS)[];

const CONFIG_KEYS = ['preset', 'model', 'batchSize', 'lr', 'epochs', 'maxEvents', 'valFraction', 'patience', 'checkpointSeconds'] as const;

const MODEL_KEYS = ['fields', 'embed', 'combine', 'hidden', 'layers', 'dropout'] as const;

/** The autoencoder's settings: the preset's, each overridden by the config file's "model", all checked. */
function modelSettings(path: string | undefined, preset: keyof typeof UBP_CONFIGS, over: unknown): Omit<UbpConfig, 'vocab'> {
  if (over === undefined || over === null) over = {};
  if (!isObject(over)) throw new Error(`${path}: "model" must be an object of autoencoder settings, got ${JSON.stringify(over)}`);
  const given = over;
  for (const k of Object.keys(given))
    if (!(MODEL_KEYS as readonly string[]).includes(k)) throw new Error(`${path}: unknown model setting "${k}" (known: ${MODEL_KEYS.join(', ')})`);
  const m: Record<string, unknown> = { ...UBP_CONFIGS[preset], ...given };
  const label = (k: string): string => (k in given ? `${path}: "model.${k}"` : `model.${k} (preset ${preset})`);
  const fields = m.fields;
  if (!Array.isArray(fields) || !fields.length || !fields.every((f) => (FIELDS as readonly unknown[]).includes(f)) || new Set(fields).size !== fields.length)
    throw new Error(`${label('fields')} must be a list of distinct fields among ${FIELDS.join(', ')}, got ${JSON.stringify(fields)}`);
  return {
    fields: [...fields] as string[],
    embed: flags.integer(label('embed'), m.embed, 1, MAX_WIDTH),
    combine: flags.oneOf(label('combine'), m.combine, ['sum', 'concat'] as const),
    hidden: flags.integer(label('hidden'), m.hidden, 1, MAX_WIDTH),
    layers: flags.integer(label('layers'), m.layers, 1, MAX_DEPTH),
    dropout: flags.fraction(label('dropout'), m.dropout),
  };
}

/** `ubp train`'s settings: the config file's, else the flags' and the defaults, each checked (the error names the file and key). */
function trainSettings(path: string | undefined, v: { epochs: string; preset: string }, onCommandLine: (flag: string) => boolean) {
  const cfg = path ? readConfig(path, CONFIG_KEYS) : {};
  for (const k of ['epochs', 'preset'] as const)
    if (k in cfg && onCommandLine(k)) throw usageError(`${path} sets "${k}" and so does --${k}: give it in one place`);
  const get = (k: (typeof CONFIG_KEYS)[number], fallback: unknown): [string, unknown] =>
    k in cfg ? [`${path}: "${k}"`, cfg[k]] : [`${k} (default)`, fallback];
  const int = (k: (typeof CONFIG_KEYS)[number], fallback: unknown, max = MAX_COUNT): number => flags.integer(...get(k, fallback), 1, max);
  const preset = 'preset' in cfg ? flags.oneOf(...get('preset', undefined), PRESETS) : flags.oneOf('--preset', v.preset, PRESETS);
  return {
    model: modelSettings(path, preset, cfg.model),
    batchSize: int('batchSize', 256, MAX_WIDTH),
    lr: flags.number(...get('lr', 1e-3), { min: 0, above: true }),
    epochs: 'epochs' in cfg ? int('epochs', undefined) : flags.integer('--epochs', v.epochs),
    maxEvents: int('maxEvents', 126, MAX_WIDTH),
    // Both sets need clients: with 0 the validation loss is NaN, with 1 nothing is trained.
    valFraction: flags.fraction(...get('valFraction', 0.02), true),
    patience: int('patience', 2),
    checkpointSeconds: flags.number(...get('checkpointSeconds', CHECKPOINT_SECONDS), { min: 0 }),
  };
}

/** --eval-hidden, --eval-inner, --eval-epochs: the universal network that scores embeddings. */
function withEvalSizes(cmd: Command): Command {
  return cmd
    .option('--eval-hidden <h>', "universal network's hidden width", '2048')
    .option('--eval-inner <i>', "universal network's inner (bottleneck block) width", '4096')
    .option('--eval-epochs <e>', 'universal network epochs per task (the best epoch counts)', '3');
}

type EvalFlags = { evalHidden: string; evalInner: string; evalEpochs: string };
const evalSizes = (o: EvalFlags) => ({
  hidden: int('eval-hidden', o.evalHidden, MAX_WIDTH),
  inner: int('eval-inner', o.evalInner, MAX_WIDTH),
  epochs: int('eval-epochs', o.evalEpochs),
});

export function addUbpCommand(program: Command, shouldStop: () => boolean): void {
  const ubp = program.command('ubp').description('Universal Behavioral Profiles: autoencoders, ensemble members, the challenge evaluation');

  examples(
    withEvalSizes(
      withEndpoint(
        withThreads(ubp.command('run').description('the whole pipeline on generated data: generate, ingest, targets, members, ensemble, evaluate, report')),
        'embedding',
      ),
    )
      .requiredOption('--out <dir>', 'run folder (a rerun resumes where it stopped)')
      .option('--clients <n>', 'clients to generate', '5000')
      .option('--members <list>', `comma-separated, among ${MEMBER_NAMES.join(', ')}`, DEFAULT_MEMBERS.join(','))
      .option('--epochs <e>', 'epochs of each trained member (autoencoders, next-item transformers)', '3')
      .option('--pca <k>', 'columns each autoencoder member is reduced to (PCA) in the ensemble', String(MEMBER_COLUMNS))
      .option('--seed <n>', 'random seed', '1')
      .option('--select-members', "choose the members the ensemble joins on a holdout of the training window's labels (2·N + 2 more evaluations)")
      .addHelpText('after', '\nThe text member uses the embeddings endpoint when --base-url (or SEQCORE_BASE_URL) is given, else TF-IDF + SVD.')
      .addOption(new Option('--preset <name>').hideHelp()) // deprecated: --members ae-NAME,…
      .action(
        async (
          o: EvalFlags &
            EndpointFlags & {
              out: string;
              clients: string;
              members: string;
              epochs: string;
              pca: string;
              seed: string;
              preset?: string;
              cache?: string;
              concurrency: string;
              selectMembers?: boolean;
            },
          c: Command,
        ) => {
          lockOutput(o.out);
          if (o.preset !== undefined) {
            // the members ubp run had when --preset chose its one autoencoder
            if (c.getOptionValueSource('members') === 'cli') throw usageError('give --members (the autoencoders are members now), not --preset as well');
            o.members = `ae-${flags.oneOf('--preset', o.preset, PRESETS)},statistics,als-category,als-url`;
            process.stderr.write(`seqcore: ubp run --preset is deprecated: it means --members ${o.members} (the old flag goes in the next release)\n`);
          }
          const sizes = evalSizes(o);
          const members = parseMembers('--members', o.members);
          // the text member's server: --base-url or SEQCORE_BASE_URL, and only when the text member is built
          const server = o.baseUrl ?? process.env.SEQCORE_BASE_URL;
          if (!members.includes('text') && o.baseUrl) throw usageError('--base-url is for the text member, which --members does not include');
          const r = await runPipeline({
            out: o.out,
            clients: int('clients', o.clients),
            epochs: int('epochs', o.epochs),
            members,
            select: o.selectMembers ?? false,
            text:
              server && members.includes('text')
                ? { endpoint: endpoint(o, 'embeddings'), cachePath: o.cache, concurrency: int('concurrency', o.concurrency, 1024) }
                : undefined,
            pca: int('pca', o.pca, MAX_WIDTH),
            evalHidden: sizes.hidden,
            evalInner: sizes.inner,
            evalEpochs: sizes.epochs,
            seed: flags.seed('--seed', o.seed),
            log,
            shouldStop,
          });
          if (r.interrupted) {
            log('interrupted: rerun the same command to resume');
            endWith(130);
            return;
          }
          log(`\n${scoreTable(r.results)}\n\nreport: ${join(o.out, 'ensemble', 'report.md')}`);
        },
      ),
    'seqcore ubp run --out runs/demo --clients 20000 --epochs 3',
    'seqcore ubp run --out runs/wide --members ae-wide,statistics --epochs 1',
  );

  examples(
    withEvalSizes(
      withThreads(
        ubp.command('ablation').description("the paper's ablation of a ubp run: the ensemble, without each member, each member alone; mean ± std over seeds"),
      ),
    )
      .requiredOption('--out <dir>', 'a finished ubp run folder (writes ablation/ablation.md and ablation.json there)')
      .option('--seeds <list>', 'seeds of the universal network, comma-separated', '1,2,3')
      .action(async (o: EvalFlags & { out: string; seeds: string }) => {
        lockOutput(join(o.out, 'ablation'));
        const sizes = evalSizes(o);
        const rows = await ablation({
          run: o.out,
          seeds: o.seeds.split(',').map((s) => flags.seed('--seeds', s)),
          evalHidden: sizes.hidden,
          evalInner: sizes.inner,
          evalEpochs: sizes.epochs,
          log,
          shouldStop,
        });
        if (!rows) {
          log('interrupted: rerun the same command to start the ablation again');
          endWith(130);
          return;
        }
        log(`\n${ablationTable(rows)}\n\nablation: ${join(o.out, 'ablation', 'ablation.md')}`);
      }),
    'seqcore ubp ablation --out runs/demo --seeds 1,2,3 --eval-hidden 256 --eval-inner 512',
  );

  const train = withBackend(withThreads(ubp.command('train').description('train a GRU autoencoder on an event cache (checkpoints; --resume continues)')))
    .requiredOption('--events <file>', 'event cache (from data ingest)')
    .requiredOption('--out <dir>', 'folder for the checkpoint, model.safetensors and the loss log')
    .option('--config <file>', 'JSON settings: preset, model, batchSize, lr, epochs, maxEvents, valFraction, patience, checkpointSeconds (README)')
    .option('--preset <name>', 'autoencoder: small, wide or dayEvent', 'small')
    .option('--epochs <e>', 'epochs', '3')
    .option('--seed <n>', 'random seed', '1')
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--profiler', 'time each op of the first epoch and print the table');
  renamed(train, 'data', 'events');
  renamed(train, 'profile', 'profiler');
  examples(
    train.action(
      async (
        o: {
          events: string;
          out: string;
          config?: string;
          preset: string;
          epochs: string;
          seed: string;
          resume?: boolean;
          profiler?: boolean;
          backend: string;
        },
        c: Command,
      ) => {
        lockOutput(o.out);
        const r = await trainUbp({
          cache: o.events,
          out: o.out,
          ...trainSettings(o.config, o, (k) => c.getOptionValueSource(k) === 'cli'),
          seed: flags.seed('--seed', o.seed),
          resume: o.resume ?? false,
          log,
          shouldStop,
          backend: o.backend,
          profile: o.profiler ?? false,
        });
        if (r.interrupted) endWith(130);
      },
    ),
    'seqcore ubp train --events runs/data/events.cache --out runs/ae --preset wide --epochs 6 --backend cuda',
    'seqcore ubp train --events runs/data/events.cache --out runs/ae --config ae.json --resume',
  );

  const embed = withBackend(withThreads(ubp.command('embed').description('embed every relevant client with a trained autoencoder (float16 .npy)')))
    .requiredOption('--events <file>', 'event cache (from data ingest)')
    .requiredOption('--checkpoint <file>', 'trained autoencoder: DIR/model.ckpt of ubp train')
    .requiredOption('--out <dir>', 'folder for embeddings.npy and client_ids.npy');
  renamed(embed, 'data', 'events');
  renamed(embed, 'model', 'checkpoint');
  examples(
    embed.action(async (o: { events: string; checkpoint: string; out: string; backend: string }) => {
      lockOutput(o.out);
      const r = await embedUbp({
        cache: o.events,
        model: o.checkpoint,
        out: o.out,
        batchSize: 512,
        maxEvents: 126,
        backend: o.backend,
      });
      log(`embeddings of ${r.clients} clients (${r.dim} columns, float16) → ${o.out}`);
    }),
    'seqcore ubp embed --events runs/data/events.cache --checkpoint runs/ae/model.ckpt --out runs/ae/embeddings',
  );

  const ensemble = withThreads(ubp.command('ensemble').description('compute the statistics and ALS members and concatenate them with autoencoder embeddings'))
    .requiredOption('--events <file>', 'event cache (from data ingest)')
    .requiredOption('--out <dir>', 'folder for the members and ensemble/')
    .option('--embeddings <dirs>', 'autoencoder embedding folders to add, comma-separated')
    .option('--pca <k>', 'columns each autoencoder member is reduced to (PCA) in the ensemble', String(MEMBER_COLUMNS))
    .option('--seed <n>', 'random seed', '1');
  renamed(ensemble, 'data', 'events');
  examples(
    ensemble.action((o: { events: string; out: string; embeddings?: string; pca: string; seed: string }) => {
      lockOutput(o.out);
      const cache = new EventCache(o.events),
        relevant = cache.file.readArray<BigInt64Array>('relevant');
      // the autoencoders first, then the computed members, as ubp run orders them
      const members = [
        ...autoencoderMembers(o.embeddings ? o.embeddings.split(',') : [], int('pca', o.pca, MAX_WIDTH)),
        ...computeMembers(cache, relevant, o.out, flags.seed('--seed', o.seed), log),
      ];
      const r = ensembleOf(members, relevant, join(o.out, 'ensemble'));
      log(`ensemble of ${members.map((m) => m.name).join(', ')}: ` + `${relevant.length} clients × ${r.dim} columns (float16) → ${join(o.out, 'ensemble')}`);
    }),
    'seqcore ubp ensemble --events runs/data/events.cache --out runs/members --embeddings runs/ae/embeddings',
  );

  const baseline = withThreads(
    ubp
      .command('baseline')
      .description("the organisers' aggregated-features baseline (320 columns), value for value as their code computes it: the reference embedding"),
  )
    .requiredOption('--dir <dir>', 'challenge-format data folder')
    .option('--before <time>', 'only events before this time, "YYYY-MM-DD HH:mm:ss" (the input cut; default: every event, as their script without a split)')
    .requiredOption('--out <dir>', 'folder for embeddings.npy and client_ids.npy');
  renamed(baseline, 'data', 'dir');
  examples(
    baseline.action(async (o: { dir: string; before?: string; out: string }) => {
      lockOutput(o.out);
      const r = await aggregatedBaseline({ data: o.dir, before: o.before, out: o.out });
      log(`organisers' baseline: ${r.clients} clients × ${r.dim} features → ${o.out}`);
    }),
    'seqcore ubp baseline --dir runs/data --before "2022-10-03 00:00:00" --out runs/baseline',
  );

  examples(
    withThreads(
      ubp
        .command('counts')
        .description("seqcore's 50 count features (event counts over 1, 7, 30 days and all time; top categories and urls): not the organisers' baseline"),
    )
      .requiredOption('--dir <dir>', 'challenge-format data folder')
      .requiredOption('--before <time>', 'count events before this time, "YYYY-MM-DD HH:mm:ss" (the input cut)')
      .requiredOption('--out <dir>', 'folder for embeddings.npy and client_ids.npy')
      .action(async (o: { dir: string; before: string; out: string }) => {
        lockOutput(o.out);
        const r = await countFeatures({ data: o.dir, before: o.before, out: o.out });
        log(`count features: ${r.clients} clients × ${r.dim} features → ${o.out}`);
      }),
    'seqcore ubp counts --dir runs/data --before "2022-10-03 00:00:00" --out runs/counts',
  );

  const evaluate = withEvalSizes(
    withBackend(
      withThreads(ubp.command('eval').description("score embeddings on the challenge's tasks with the universal network; writes report.md and report.html")),
    ),
  )
    .requiredOption('--dir <dir>', 'challenge-format data folder')
    .requiredOption('--targets <dir>', 'targets (from data targets)')
    .requiredOption('--embeddings <dir>', 'embeddings to score (embeddings.npy, client_ids.npy); the report is written there')
    .option('--baseline <dir>', 'embeddings to score beside them, for comparison')
    .option('--json', 'JSON Lines: one object per task and embedding, then one result object');
  renamed(evaluate, 'data', 'dir');
  examples(
    evaluate.action(async (o: EvalFlags & { dir: string; targets: string; embeddings: string; baseline?: string; json?: boolean; backend: string }) => {
      lockOutput(o.embeddings); // the report goes into the embeddings' folder
      await evalCommand(o, o.dir, evalSizes(o));
    }),
    'seqcore ubp eval --dir runs/data --targets runs/data/targets --embeddings runs/members/ensemble --baseline runs/baseline',
  );
}

async function evalCommand(
  o: { targets: string; embeddings: string; baseline?: string; json?: boolean; backend: string },
  data: string,
  sizes: ReturnType<typeof evalSizes>,
): Promise<void> {
  const ev = { data, targets: o.targets, ...sizes, log: o.json ? undefined : log, backend: o.backend };
  const r = await evaluateEmbeddings({ ...ev, embeddings: o.embeddings });
  for (const t of r)
    log(
      o.json
        ? JSON.stringify({ embedding: 'embeddings', ...t })
        : `${t.task}: score ${t.score.toFixed(4)} (AUROC ${t.auroc.toFixed(4)}` +
            `${t.novelty !== undefined ? `, novelty ${t.novelty.toFixed(4)}, diversity ${t.diversity!.toFixed(4)}` : ''}, best epoch ${t.bestEpoch})`,
    );
  // The report next to the embeddings, beside the baseline's scores when one is given.
  const results: [string, typeof r][] = [
    ...(o.baseline ? [['baseline', await evaluateEmbeddings({ ...ev, embeddings: o.baseline })] as [string, typeof r]] : []),
    ['embeddings', r],
  ];
  await writeReport({
    dir: o.embeddings,
    about:
      `Embeddings ${o.embeddings}${o.baseline ? ` against ${o.baseline}` : ''}; ` +
      `universal network ${sizes.hidden}/${sizes.inner}, ${sizes.epochs} epochs per task (best epoch counts).`,
    results,
    loss: {
      title: 'Universal network training loss per epoch, one curve per task',
      xTitle: 'epoch',
      series: r.map((t) => ({ name: t.task, values: t.losses })),
      text: r.map((t) => `${t.task}: ${t.losses.map((l) => l.toFixed(4)).join(', ')}`).join('\n\n'),
    },
  });
  const report = join(o.embeddings, 'report.md');
  if (!o.json) {
    log(`\n${scoreTable(results)}\n\nreport: ${report}`);
    return;
  }
  // JSON Lines: each task's result, labelled by embedding (the baseline's after its
  // evaluation), then one result object last.
  for (const [name, rs] of results) if (name !== 'embeddings') for (const t of rs) log(JSON.stringify({ embedding: name, ...t }));
  log(
    JSON.stringify({
      report,
      html: join(o.embeddings, 'report.html'),
      sums: Object.fromEntries(results.map(([n, rs]) => [n, scoreSum(rs)])),
    }),
  );
}
