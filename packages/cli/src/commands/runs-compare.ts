import { AnomalabError, metricValue, type ChannelMetrics, type RunSummary } from '@anomalab/core';
import { table, writeJson, type Command } from '../command.ts';
import { openApp } from '../app.ts';

/** `{a: {b: 1}}` -> `{'a.b': 1}`; arrays are compared as a whole. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = value;
  return out;
}

/** Config keys whose values differ between the runs (the name is left out). */
export function configDiff(configs: Record<string, unknown>[]): { key: string; values: unknown[] }[] {
  const flat = configs.map((c) => flatten(c));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => k !== 'name').sort();
  return keys
    .map((key) => ({ key, values: flat.map((f) => f[key]) }))
    .filter(({ values }) => new Set(values.map((v) => JSON.stringify(v))).size > 1);
}

/** Compared metrics (key, label); rows no run has are left out. PA%0 sits next to point F1. */
const METRICS: [string, string][] = [
  ['vus-pr', 'VUS-PR'], ['vus-roc', 'VUS-ROC'], ['auc-pr', 'AUC-PR'], ['auc-roc', 'AUC-ROC'], ['range-auc-pr', 'R-AUC-PR'],
  ['f1@oracle', 'oracle F1'], ['pa0-f1@oracle', 'oracle F1-PA%0'], ['range-f1@oracle', 'oracle R-F1'], ['affiliation-f1@oracle', 'oracle AFF-F1'],
  ['f1@deployable', 'deployable F1'], ['pa0-f1@deployable', 'deployable F1-PA%0'], ['range-f1@deployable', 'deployable R-F1'], ['affiliation-f1@deployable', 'deployable AFF-F1'],
];

export const runsCompareCommand: Command = {
  path: ['runs', 'compare'],
  summary: 'compare runs: config differences and metrics side by side, with deltas to the first',
  help: `Usage: anomalab runs compare <run> <run> [<run>...] [--json]

Prints the config keys whose values differ, then per channel (and joint) for every run,
with the difference to the first run: VUS-PR, VUS-ROC, AUC-PR, AUC-ROC, range-AUC-PR, and
F1 (with F1-PA%0 beside it), range-based F1 and affiliation F1 at the oracle and the
deployable threshold (rows no run has are left out).`,
  allowPositionals: true,
  options: { json: { type: 'boolean' } },
  async run({ values, positionals }, ctx) {
    if (positionals.length < 2) throw new AnomalabError('ANOMALAB_USAGE', 'expected two or more run ids\nsee: anomalab runs compare --help');
    const app = await openApp(ctx);
    const runs: RunSummary[] = [];
    for (const id of positionals) runs.push(await app.runs.get(id));
    const configs = await Promise.all(runs.map(async (r) => (await app.runs.readConfig<Record<string, unknown>>(r.id)) ?? {}));
    const diff = configDiff(configs);
    const channels = [...new Set(runs.flatMap((r) => Object.keys(r.metrics ?? {})))];
    const metricRows = channels.flatMap((channel) =>
      METRICS.map(([key, name]) => {
        const vals = runs.map((r) => metricValue((r.metrics as Record<string, ChannelMetrics> | undefined)?.[channel], key));
        return { channel, metric: name, key, values: vals, deltas: vals.map((v) => (v === null || vals[0] === null ? null : v - vals[0]!)) };
      }).filter((row) => row.values.some((v) => v !== null) || ['auc-pr', 'f1@oracle', 'f1@deployable'].includes(row.key)),
    );
    if (values.json) {
      writeJson(ctx, { runs: runs.map((r) => ({ id: r.id, status: r.status, experiment: r.experiment, dataset: r.dataset, model: r.model })), configDiff: diff, metrics: metricRows });
      return 0;
    }
    const short = (id: string) => (id.length > 28 ? `…${id.slice(-27)}` : id);
    ctx.out.write(table([['RUN', 'STATUS', 'EXPERIMENT', 'DATASET', 'MODEL'], ...runs.map((r) => [r.id, r.status, r.experiment, r.dataset, r.model])]));
    ctx.out.write('\nconfig differences:\n');
    ctx.out.write(diff.length ? table([['KEY', ...runs.map((r) => short(r.id))], ...diff.map((d) => [d.key, ...d.values.map((v) => (v === undefined ? '-' : JSON.stringify(v)))])]) : '  (none)\n');
    if (metricRows.length) {
      const fmt = (v: number | null) => (v === null ? '-' : v.toFixed(4));
      const delta = (v: number | null) => (v === null ? '' : ` (${v >= 0 ? '+' : ''}${v.toFixed(4)})`);
      ctx.out.write('\nmetrics (delta to the first run):\n');
      ctx.out.write(
        table([
          ['CHANNEL', 'METRIC', ...runs.map((r) => short(r.id))],
          ...metricRows.map((m) => [m.channel, m.metric, ...m.values.map((v, i) => (i === 0 ? fmt(v) : fmt(v) + delta(m.deltas[i]!)))]),
        ]),
      );
    }
    return 0;
  },
};
