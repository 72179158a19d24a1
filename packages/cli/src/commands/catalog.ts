import { AnomalabError, RunLogger, parseOverride } from '@anomalab/core';
import { table, writeJson, type Command } from '../command.ts';
import { openApp } from '../app.ts';

export const datasetsListCommand: Command = {
  path: ['datasets', 'list'],
  summary: 'list dataset plugins and their series',
  help: `Usage: anomalab datasets list [--json]

Every series as <dataset>/<series>, with its channels and whether it is labelled.`,
  options: { json: { type: 'boolean' } },
  async run({ values }, ctx) {
    const app = await openApp(ctx);
    const datasets = app.registry.all('dataset').map((d) => ({ name: d.name, description: d.description, series: d.listSeries() }));
    if (values.json) {
      writeJson(ctx, datasets);
      return 0;
    }
    const rows = [['SERIES', 'LABELLED', 'CHANNELS', 'DESCRIPTION']];
    for (const d of datasets) {
      for (const s of d.series) rows.push([`${d.name}/${s.name}`, s.labelled ? 'yes' : 'no', (s.channels ?? []).join(',') || '-', s.description ?? d.description]);
    }
    ctx.out.write(table(rows));
    ctx.out.write('\nLabels of the benchmark series are unofficial (see `anomalab datasets info <dataset>`).\n');
    return 0;
  },
};

/** Labelled ranges (start, end) exclusive-end in split rows, from 0/1 labels. */
function labelRanges(labels: Uint8Array | undefined): [number, number][] {
  const ranges: [number, number][] = [];
  if (!labels) return ranges;
  for (let t = 0; t < labels.length; t++) {
    if (labels[t] && (t === 0 || !labels[t - 1])) ranges.push([t, t]);
    if (labels[t]) ranges.at(-1)![1] = t + 1;
  }
  return ranges;
}

const count = (labels: Uint8Array | undefined) => (labels ? labels.reduce((a, b) => a + b, 0) : null);

/** Facts of one loaded series: what `datasets info <dataset>/<series>` prints. */
async function seriesInfo(ctx: Parameters<Command['run']>[1], dataset: string, series: string, sets: string[]) {
  const app = await openApp(ctx);
  const options: Record<string, unknown> = {};
  for (const expr of sets) {
    const parsed = parseOverride(expr.replace(/^dataset\.options\./, ''));
    if ('message' in parsed) throw new AnomalabError('ANOMALAB_USAGE', `--set ${expr}: ${parsed.message}`);
    let o: Record<string, any> = options;
    parsed.path.slice(0, -1).forEach((k) => (o = o[k] ??= {}));
    o[parsed.path.at(-1)!] = parsed.value;
  }
  // An unknown series is a typo on the command line (exit 2), not missing data.
  const known = app.registry.get('dataset', dataset).listSeries().map((s) => s.name);
  if (known.length && !known.includes(series)) {
    throw new AnomalabError('ANOMALAB_USAGE', `dataset ${dataset} has no series "${series}"; available: ${known.join(', ')}`);
  }
  const loaded = await app.loadSeries({ dataset, series, options });
  const split = (s: typeof loaded.train) => ({
    rows: s.rows,
    fileRows: [s.offset, s.offset + s.rows] as [number, number],
    anomalousRows: count(s.labels),
    anomalyRanges: labelRanges(s.labels).map(([a, b]) => [a + s.offset, b + s.offset]),
  });
  return { id: loaded.id, channels: loaded.channelNames, labelled: loaded.labelled, train: split(loaded.train), test: split(loaded.test), metadata: loaded.metadata };
}

export const datasetsInfoCommand: Command = {
  path: ['datasets', 'info'],
  summary: 'describe a dataset (source, caveats, options, series) or load one series and show its splits',
  help: `Usage: anomalab datasets info <dataset> [--json]
       anomalab datasets info <dataset>/<series> [--set dataset.options.key=value]... [--json]

With a series, loads it (downloading or reading the mirror if needed) and prints its
channels, train/test rows, anomalous rows per split and labelled ranges (file rows,
[start, end) ), computed from the data.`,
  allowPositionals: true,
  options: { json: { type: 'boolean' }, set: { type: 'string', multiple: true } },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new AnomalabError('ANOMALAB_USAGE', 'expected one dataset name\nsee: anomalab datasets info --help');
    const [datasetName, seriesName] = positionals[0]!.split('/');
    if (seriesName) {
      const info = await seriesInfo(ctx, datasetName!, seriesName, values.set ?? []);
      if (values.json) {
        writeJson(ctx, info);
        return 0;
      }
      const fmtSplit = (name: string, s: typeof info.train) =>
        `  ${name.padEnd(5)} rows ${String(s.rows).padStart(6)} (file rows [${s.fileRows[0]}, ${s.fileRows[1]}))` +
        (s.anomalousRows === null ? '' : `, ${s.anomalousRows} anomalous rows in ${s.anomalyRanges.length} range(s)${s.anomalyRanges.length ? ': ' + s.anomalyRanges.map(([a, b]) => `[${a}, ${b})`).join(' ') : ''}`);
      ctx.out.write(
        [`${info.id}: ${info.channels.length} channel(s) [${info.channels.join(', ')}]${info.labelled ? '' : ', unlabelled'}`, fmtSplit('train', info.train), fmtSplit('test', info.test)].join('\n') + '\n',
      );
      for (const [k, v] of Object.entries(info.metadata)) if (typeof v === 'string' || typeof v === 'number') ctx.out.write(`  ${k}: ${v}\n`);
      return 0;
    }
    const app = await openApp(ctx);
    const d = app.registry.get('dataset', datasetName!);
    const info = { name: d.name, description: d.description, about: d.about ?? {}, options: d.optionsSchema ?? null, series: d.listSeries() };
    if (values.json) {
      writeJson(ctx, info);
      return 0;
    }
    const lines = [`${d.name}: ${d.description}`];
    for (const [k, v] of Object.entries(info.about)) lines.push(`  ${k}: ${v}`);
    const props = (d.optionsSchema?.properties ?? {}) as Record<string, { default?: unknown; description?: string }>;
    if (Object.keys(props).length) {
      lines.push('', 'options (dataset.options):');
      for (const [k, p] of Object.entries(props)) lines.push(`  ${k} (default ${JSON.stringify(p.default)}): ${p.description ?? ''}`);
    }
    lines.push('', 'series:');
    for (const s of info.series) lines.push(`  ${d.name}/${s.name}${s.labelled ? '' : ' (unlabelled)'}${s.description ? ` - ${s.description}` : ''}`);
    ctx.out.write(lines.join('\n') + '\n');
    return 0;
  },
};

export const datasetsFetchCommand: Command = {
  path: ['datasets', 'fetch'],
  summary: 'download, verify and cache data sets for offline use',
  help: `Usage: anomalab datasets fetch [<dataset>...] [--data-mirror <dir>]

Without names, fetches every dataset that has remote files. Files are verified against
pinned SHA-256 checksums and cached; with --data-mirror (or ANOMALAB_DATA_MIRROR) they are
copied from a local mirror instead of the network.`,
  allowPositionals: true,
  options: {},
  async run({ positionals }, ctx) {
    const app = await openApp(ctx);
    const selected = positionals.length ? positionals.map((n) => app.registry.get('dataset', n)) : app.registry.all('dataset').filter((d) => d.prefetch);
    const logger = new RunLogger({ out: ctx.out });
    for (const d of selected) {
      if (!d.prefetch) {
        ctx.out.write(`${d.name}: nothing to fetch\n`);
        continue;
      }
      await d.prefetch({ logger, settings: app.settings });
      ctx.out.write(`${d.name}: ok\n`);
    }
    return 0;
  },
};

export const modelsListCommand: Command = {
  path: ['models', 'list'],
  summary: 'list model plugins (and detectors; evaluators: anomalab evaluators list)',
  help: `Usage: anomalab models list [--json]`,
  options: { json: { type: 'boolean' } },
  async run({ values }, ctx) {
    const app = await openApp(ctx);
    const models = app.registry.all('model').map((m) => ({
      name: m.name,
      description: m.description,
      reference: m.reference,
      source: app.registry.sourceOf('model', m.name),
      options: m.optionsSchema,
      trainingDefaults: m.trainingDefaults ?? {},
    }));
    const detectors = app.registry.all('detector').map((d) => ({ name: d.name, description: d.description, options: d.optionsSchema ?? null }));
    if (values.json) {
      writeJson(ctx, { models, detectors });
      return 0;
    }
    ctx.out.write(table([['MODEL', 'DESCRIPTION'], ...models.map((m) => [m.name, m.description])]));
    ctx.out.write('\n' + table([['DETECTOR', 'DESCRIPTION'], ...detectors.map((d) => [d.name, d.description])]));
    ctx.out.write('\nOptions of each: anomalab schema (or --json here).\n');
    return 0;
  },
};

export const evaluatorsListCommand: Command = {
  path: ['evaluators', 'list'],
  summary: 'list evaluator plugins and the metrics each reports',
  help: `Usage: anomalab evaluators list [--json]

Every evaluator plugin (chosen in an experiment with evaluation.metrics; default: all of
them) with the metric keys it reports. Thresholded metrics are reported at both the
oracle threshold (best point F1 on the test labels) and the deployable one (from train
scores); use them as <key>@oracle or <key>@deployable with \`anomalab report --rank-by\`.`,
  options: { json: { type: 'boolean' } },
  async run({ values }, ctx) {
    const app = await openApp(ctx);
    const evaluators = app.registry.all('evaluator').map((e) => ({
      name: e.name,
      description: e.description,
      reference: e.reference,
      source: app.registry.sourceOf('evaluator', e.name),
      metrics: e.metrics,
      options: e.optionsSchema ?? null,
    }));
    if (values.json) {
      writeJson(ctx, evaluators);
      return 0;
    }
    const rows = [['EVALUATOR', 'METRIC', 'THRESHOLD', 'DESCRIPTION']];
    for (const e of evaluators) {
      rows.push([e.name, '', '', e.description]);
      for (const m of e.metrics) rows.push(['', m.key, m.thresholded ? 'oracle+deployable' : 'free', m.description]);
    }
    ctx.out.write(table(rows));
    ctx.out.write('\nBuilt into the core (always): auc-pr, auc-roc, f1@oracle, f1@deployable. Options: anomalab schema (or --json here).\n');
    return 0;
  },
};

export const schemaCommand: Command = {
  path: ['schema'],
  summary: 'print the JSON Schema of experiment files (for editor completion)',
  help: `Usage: anomalab schema > experiment.schema.json

The schema covers core fields and every registered plugin's options. Point your editor at it,
e.g. with a first line "# yaml-language-server: $schema=./experiment.schema.json".`,
  options: {},
  async run(_args, ctx) {
    const app = await openApp(ctx);
    writeJson(ctx, app.editorSchema());
    return 0;
  },
};
