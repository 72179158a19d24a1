import { AnomalabError, RunLogger } from '@anomalab/core';
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

export const datasetsInfoCommand: Command = {
  path: ['datasets', 'info'],
  summary: 'describe one dataset: source, caveats, options, series',
  help: `Usage: anomalab datasets info <dataset> [--json]`,
  allowPositionals: true,
  options: { json: { type: 'boolean' } },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new AnomalabError('ANOMALAB_USAGE', 'expected one dataset name\nsee: anomalab datasets info --help');
    const app = await openApp(ctx);
    const d = app.registry.get('dataset', positionals[0]!.split('/')[0]!);
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
      await d.prefetch({ logger });
      ctx.out.write(`${d.name}: ok\n`);
    }
    return 0;
  },
};

export const modelsListCommand: Command = {
  path: ['models', 'list'],
  summary: 'list model plugins (and detectors)',
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
