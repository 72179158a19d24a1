import { AnomalabError, REPORT_METRICS, buildSweepReport, type ReportRow, type Stat, type SweepReport } from '@anomalab/core';
import type { Command } from '../command.ts';
import { openApp } from '../app.ts';

const HEADERS: Record<(typeof REPORT_METRICS)[number], string> = { aucPr: 'AUC-PR', oracleF1: 'oracle F1', deployableF1: 'deployable F1' };

function formatStat(s: Stat): string {
  if (s.mean === null) return 'n/a';
  return s.std === null ? s.mean.toFixed(3) : `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}`;
}

/** Markdown: best model value per series and channel in bold. */
export function toMarkdown(report: SweepReport): string {
  const head = ['series', 'model', 'channel', ...REPORT_METRICS.map((m) => HEADERS[m]), 'seeds'];
  const lines = [`# Sweep ${report.sweep} (${report.name})`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of report.rows) {
    const cells = REPORT_METRICS.map((m) => (row.best[m] ? `**${formatStat(row.metrics[m])}**` : formatStat(row.metrics[m])));
    lines.push(`| ${row.series} | ${row.kind === 'random' ? '_random_' : row.model} | ${row.channel} | ${cells.join(' | ')} | ${row.seeds.length} |`);
  }
  lines.push('', 'Bold: best model value for the series and channel.', '', ...report.protocol.map((p) => `- ${p}`));
  return lines.join('\n') + '\n';
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(report: SweepReport): string {
  const head = ['series', 'model', 'kind', 'channel', 'seeds', ...REPORT_METRICS.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_best`])];
  const rows = report.rows.map((r: ReportRow) => [r.series, r.model, r.kind, r.channel, r.seeds.join(' '), ...REPORT_METRICS.flatMap((m) => [r.metrics[m].mean, r.metrics[m].std, r.best[m] ? 1 : 0])]);
  return [head, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export const reportCommand: Command = {
  path: ['report'],
  summary: 'benchmark table of a sweep: metrics per series x model, mean ± std over seeds',
  help: `Usage: anomalab report <sweep-id> [--format md|csv|json]

One row per series x model variant x channel (and joint) with AUC-PR, oracle F1 and
deployable F1 as mean ± sample std over seeds; the best model value per series and channel
is marked. A "random" row per series evaluates seeded uniform random scores the same way,
so chance-level values are visible. A footer states the protocol (labels, thresholds,
epochs, seeds). The sweep id is printed when a matrix experiment starts.

Options:
  --format <f>   md (default), csv or json`,
  allowPositionals: true,
  options: { format: { type: 'string' } },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new AnomalabError('ANOMALAB_USAGE', 'expected one sweep id\nsee: anomalab report --help');
    const format = values.format ?? 'md';
    if (!['md', 'csv', 'json'].includes(format)) throw new AnomalabError('ANOMALAB_USAGE', `--format must be md, csv or json, got ${JSON.stringify(format)}`);
    const app = await openApp(ctx);
    const report = await buildSweepReport(app.runs, positionals[0]!);
    ctx.out.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'csv' ? toCsv(report) : toMarkdown(report));
    return 0;
  },
};
