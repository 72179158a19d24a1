import { AnomalabError, METRIC_LABELS, buildSweepReport, type ReportRow, type Stat, type SweepReport } from '@anomalab/core';
import type { Command } from '../command.ts';
import { openApp } from '../app.ts';

const label = (key: string) => METRIC_LABELS[key] ?? key;

function formatStat(s: Stat | undefined): string {
  if (!s || s.mean === null) return 'n/a';
  return s.std === null ? s.mean.toFixed(3) : `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}`;
}

/** Markdown: rows ranked by the report's metric, best model value per series and channel in bold, then mean ranks. */
export function toMarkdown(report: SweepReport): string {
  const head = ['series', 'model', 'channel', 'rank', ...report.columns.map(label), 'seeds'];
  const lines = [`# Sweep ${report.sweep} (${report.name})`, '', `Ranked by ${label(report.rankBy)}.`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of report.rows) {
    const cells = report.columns.map((m) => (row.best[m] ? `**${formatStat(row.metrics[m])}**` : formatStat(row.metrics[m])));
    lines.push(`| ${row.series} | ${row.kind === 'random' ? '_random_' : row.model} | ${row.channel} | ${row.rank ?? '-'} | ${cells.join(' | ')} | ${row.seeds.length} |`);
  }
  lines.push('', 'Bold: best model value for the series and channel.', '');
  lines.push(`## Mean rank by ${label(report.rankBy)}`, '', '| model | mean rank | ranked in |', '|---|---|---|');
  for (const r of report.ranking) lines.push(`| ${r.model} | ${r.meanRank.toFixed(2)} | ${r.n} series x channel |`);
  lines.push('', ...report.protocol.map((p) => `- ${p}`));
  return lines.join('\n') + '\n';
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(report: SweepReport): string {
  const head = ['series', 'model', 'kind', 'channel', 'seeds', 'rank', ...report.columns.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_best`])];
  const rows = report.rows.map((r: ReportRow) => [r.series, r.model, r.kind, r.channel, r.seeds.join(' '), r.rank, ...report.columns.flatMap((m) => [r.metrics[m]?.mean, r.metrics[m]?.std, r.best[m] ? 1 : 0])]);
  return [head, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export const reportCommand: Command = {
  path: ['report'],
  summary: 'benchmark table of a sweep: metrics per series x model, mean ± std over seeds, ranked (VUS-PR by default) with mean ranks',
  help: `Usage: anomalab report <sweep-id> [--rank-by <metric>] [--format md|csv|json]

One row per series x model variant x channel (and joint) with the threshold-free metrics
(VUS-PR, VUS-ROC, AUC-PR, AUC-ROC, range-AUC-PR) and the thresholded ones at the oracle and
the deployable threshold (F1 with F1-PA%0 and AUC-PA%K beside it, range-based F1,
affiliation F1), as mean ± sample std over seeds; the best model value per series and
channel is marked. Model rows are ranked per series and channel by --rank-by, and a table
gives each model's mean rank over series. A "random" row per series evaluates seeded uniform
random scores the same way, so chance-level values are visible. A footer states the protocol
(labels, thresholds, VUS window, epochs, seeds). The sweep id is printed when a matrix
experiment starts.

Options:
  --rank-by <m>  metric key to rank by (default vus-pr): auc-pr, auc-roc, f1@oracle,
                 f1@deployable, or an evaluator's key, e.g. vus-roc, range-f1@oracle
                 (anomalab evaluators list)
  --format <f>   md (default), csv or json`,
  allowPositionals: true,
  options: { format: { type: 'string' }, 'rank-by': { type: 'string' } },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new AnomalabError('ANOMALAB_USAGE', 'expected one sweep id\nsee: anomalab report --help');
    const format = values.format ?? 'md';
    if (!['md', 'csv', 'json'].includes(format)) throw new AnomalabError('ANOMALAB_USAGE', `--format must be md, csv or json, got ${JSON.stringify(format)}`);
    const rankBy = values['rank-by'] as string | undefined;
    if (rankBy !== undefined && !/^[a-z0-9-]+(@(oracle|deployable))?$/.test(rankBy)) {
      throw new AnomalabError('ANOMALAB_USAGE', `--rank-by expects a metric key such as vus-pr or range-f1@oracle, got ${JSON.stringify(rankBy)}`);
    }
    const app = await openApp(ctx);
    const report = await buildSweepReport(app.runs, positionals[0]!, { rankBy, registry: app.registry });
    ctx.out.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'csv' ? toCsv(report) : toMarkdown(report));
    return 0;
  },
};
