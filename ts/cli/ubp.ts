// `seqcore ubp …`: Universal Behavioral Profiles.
import { parseArgs } from 'node:util';
import { evaluateEmbeddings } from '../eval/universal.js';
import { UBP_CONFIGS, type UbpConfig } from '../models/ubp.js';
import { embedUbp, trainUbp } from '../train/ubp.js';
import { countBaseline } from '../ubp/baseline.js';
import { runPipeline } from '../ubp/pipeline.js';
import { scoreTable, writeReport } from '../ubp/report.js';
import { computeMembers, ensembleOf } from '../ubp/members.js';
import { EventCache, FIELDS } from '../data/ingest.js';
import { lockOutput } from '../data/lock.js';
import { join } from 'node:path';
import { readConfig } from './config.js';
import { isObject } from '../data/files.js';
import * as flags from './flags.js';
import { MAX_COUNT, MAX_DEPTH, MAX_WIDTH } from './flags.js';
import { CHECKPOINT_SECONDS } from '../train/interrupt.js';

export const UBP_USAGE = `       seqcore ubp run --out DIR [--clients N] [--epochs E] [--preset small|wide|dayEvent] [--pca K] [--eval-hidden H] [--eval-inner I] [--eval-epochs E]
       seqcore ubp train --data CACHE --out DIR [--config FILE.json] [--resume] [--backend cpu|webgpu|cuda] [--profile]
       seqcore ubp embed --data CACHE --model DIR/model.ckpt --out DIR [--backend cpu|webgpu|cuda]
       seqcore ubp ensemble --data CACHE --out DIR [--embeddings DIR[,DIR…]] [--pca K]
       seqcore ubp baseline --data DIR --before "YYYY-MM-DD HH:mm:ss" --out DIR
       seqcore ubp eval --data DIR --targets DIR --embeddings DIR [--baseline DIR] [--json] [--eval-hidden H] [--eval-inner I] [--eval-epochs E] [--backend cpu|webgpu|cuda]`;

const int = (name: string, v: string | undefined, max = MAX_COUNT): number => flags.integer(`--${name}`, v, 1, max);

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
function trainSettings(path: string | undefined, v: { epochs?: string; seed?: string }) {
  const cfg = path ? readConfig(path, CONFIG_KEYS) : {};
  const get = (k: (typeof CONFIG_KEYS)[number], fallback: unknown): [string, unknown] =>
    k in cfg ? [`${path}: "${k}"`, cfg[k]] : [`${k} (default)`, fallback];
  const int = (k: (typeof CONFIG_KEYS)[number], fallback: unknown, max = MAX_COUNT): number => flags.integer(...get(k, fallback), 1, max);
  const preset = flags.oneOf(...get('preset', 'small'), Object.keys(UBP_CONFIGS) as (keyof typeof UBP_CONFIGS)[]);
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

/** The flags each subcommand takes; any other is a usage error (exit 2), not silently ignored. */
const SUB_FLAGS: Record<string, readonly string[]> = {
  run: ['out', 'clients', 'epochs', 'preset', 'pca', 'eval-hidden', 'eval-inner', 'eval-epochs', 'seed'],
  train: ['data', 'out', 'config', 'resume', 'backend', 'profile', 'epochs', 'seed'],
  embed: ['data', 'model', 'out', 'backend'],
  ensemble: ['data', 'out', 'embeddings', 'pca', 'seed'],
  baseline: ['data', 'before', 'out'],
  eval: ['data', 'targets', 'embeddings', 'baseline', 'json', 'eval-hidden', 'eval-inner', 'eval-epochs', 'backend'],
};

export async function ubpCommand(argv: string[], shouldStop: () => boolean): Promise<number> {
  const [sub, ...rest] = argv;
  const { values: v, tokens } = parseArgs({
    args: rest,
    tokens: true,
    options: {
      out: { type: 'string' },
      data: { type: 'string' },
      targets: { type: 'string' },
      embeddings: { type: 'string' },
      model: { type: 'string' },
      before: { type: 'string' },
      config: { type: 'string' },
      baseline: { type: 'string' },
      preset: { type: 'string', default: 'small' },
      pca: { type: 'string', default: '64' },
      clients: { type: 'string', default: '5000' },
      epochs: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      'eval-hidden': { type: 'string', default: '2048' },
      'eval-inner': { type: 'string', default: '4096' },
      'eval-epochs': { type: 'string', default: '3' },
      backend: { type: 'string' },
      profile: { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const allowed = sub !== undefined ? SUB_FLAGS[sub] : undefined;
  for (const t of tokens)
    if (allowed && t.kind === 'option' && !allowed.includes(t.name))
      throw Object.assign(new Error(`ubp ${sub} does not take --${t.name} (it takes ${allowed.map((f) => `--${f}`).join(', ')})`), {
        code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION',
      });
  const need = (k: keyof typeof v): string => {
    const x = v[k];
    if (typeof x !== 'string' || !x) throw new Error(`--${k} is required\n${UBP_USAGE}`);
    return x;
  };
  const log = (l: string): void => {
    process.stdout.write(`${l}\n`);
  };
  const evalSizes = {
    hidden: int('eval-hidden', v['eval-hidden']!, MAX_WIDTH),
    inner: int('eval-inner', v['eval-inner']!, MAX_WIDTH),
    epochs: int('eval-epochs', v['eval-epochs']!),
  };
  // One run at a time per output; eval writes its report into the embeddings' folder.
  const output = sub === 'eval' ? v.embeddings : v.out;
  if (output) lockOutput(output);
  switch (sub) {
    case 'run': {
      // oneOf, not `in`: 'toString' in UBP_CONFIGS is true (inherited), and would get as far as training.
      const preset = flags.oneOf('--preset', v.preset, Object.keys(UBP_CONFIGS) as (keyof typeof UBP_CONFIGS)[]);
      const r = await runPipeline({
        out: need('out'),
        clients: int('clients', v.clients!),
        epochs: int('epochs', v.epochs!),
        model: preset,
        pca: int('pca', v.pca!, MAX_WIDTH),
        evalHidden: evalSizes.hidden,
        evalInner: evalSizes.inner,
        evalEpochs: evalSizes.epochs,
        seed: flags.seed('--seed', v.seed),
        log,
        shouldStop,
      });
      if (r.interrupted) {
        log('interrupted: rerun the same command to resume');
        return 130;
      }
      log(`\n${scoreTable(r.results)}\n\nreport: ${join(need('out'), 'ensemble', 'report.md')}`);
      return 0;
    }
    case 'train': {
      const r = await trainUbp({
        cache: need('data'),
        out: need('out'),
        ...trainSettings(v.config, v),
        seed: flags.seed('--seed', v.seed),
        resume: v.resume!,
        log,
        shouldStop,
        backend: v.backend,
        profile: v.profile,
      });
      return r.interrupted ? 130 : 0;
    }
    case 'embed': {
      const r = await embedUbp({ cache: need('data'), model: need('model'), out: need('out'), batchSize: 512, maxEvents: 126, backend: v.backend });
      log(`embeddings of ${r.clients} clients (${r.dim} columns, float16) → ${need('out')}`);
      return 0;
    }
    case 'ensemble': {
      const cache = new EventCache(need('data')),
        relevant = cache.file.readArray<BigInt64Array>('relevant');
      const members = computeMembers(cache, relevant, need('out'), flags.seed('--seed', v.seed), log);
      const autoencoders = v.embeddings ? v.embeddings.split(',') : [];
      const r = ensembleOf(members, autoencoders, relevant, int('pca', v.pca!, MAX_WIDTH), join(need('out'), 'ensemble'));
      log(
        `ensemble of ${[...members.map((m) => m.name), ...autoencoders].join(', ')}: ${relevant.length} clients × ${r.dim} columns (float16) → ${join(need('out'), 'ensemble')}`,
      );
      return 0;
    }
    case 'baseline': {
      const r = await countBaseline({ data: need('data'), before: need('before'), out: need('out') });
      log(`count baseline: ${r.clients} clients × ${r.dim} features → ${need('out')}`);
      return 0;
    }
    case 'eval': {
      const ev = { data: need('data'), targets: need('targets'), ...evalSizes, log: v.json ? undefined : log, backend: v.backend };
      const r = await evaluateEmbeddings({ ...ev, embeddings: need('embeddings') });
      for (const t of r)
        log(
          v.json
            ? JSON.stringify({ embedding: 'embeddings', ...t })
            : `${t.task}: score ${t.score.toFixed(4)} (AUROC ${t.auroc.toFixed(4)}${t.novelty !== undefined ? `, novelty ${t.novelty.toFixed(4)}, diversity ${t.diversity!.toFixed(4)}` : ''}, best epoch ${t.bestEpoch})`,
        );
      // The report next to the embeddings, beside the baseline's scores when one is given.
      const results: [string, typeof r][] = [
        ...(v.baseline ? [['baseline', await evaluateEmbeddings({ ...ev, embeddings: v.baseline })] as [string, typeof r]] : []),
        ['embeddings', r],
      ];
      await writeReport({
        dir: need('embeddings'),
        about: `Embeddings ${need('embeddings')}${v.baseline ? ` against ${v.baseline}` : ''}; universal network ${evalSizes.hidden}/${evalSizes.inner}, ${evalSizes.epochs} epochs per task (best epoch counts).`,
        results,
        loss: {
          title: 'Universal network training loss per epoch, one curve per task',
          xTitle: 'epoch',
          series: r.map((t) => ({ name: t.task, values: t.losses })),
          text: r.map((t) => `${t.task}: ${t.losses.map((l) => l.toFixed(4)).join(', ')}`).join('\n\n'),
        },
      });
      const report = join(need('embeddings'), 'report.md');
      if (!v.json) log(`\n${scoreTable(results)}\n\nreport: ${report}`);
      else {
        // JSON Lines: each task's result, labelled by embedding (the baseline's after its
        // evaluation), then one result object last.
        for (const [name, rs] of results) if (name !== 'embeddings') for (const t of rs) log(JSON.stringify({ embedding: name, ...t }));
        log(
          JSON.stringify({
            report,
            html: join(need('embeddings'), 'report.html'),
            sums: Object.fromEntries(results.map(([n, rs]) => [n, rs.reduce((a, t) => a + t.score, 0)])),
          }),
        );
      }
      return 0;
    }
    default:
      process.stderr.write(`${sub ? `unknown ubp command '${sub}'\n` : ''}usage:\n${UBP_USAGE}\n`);
      return 2;
  }
}
