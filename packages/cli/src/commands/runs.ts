import { AnomalabError, evaluatorTables, type ChannelMetrics, type RunSummary } from '@anomalab/core';
import { table, writeJson, type Command } from '../command.ts';
import { openApp } from '../app.ts';

/** A run.json `metrics` entry (see ChannelMetrics in @anomalab/core); older runs may lack fields. */
interface MetricsEntry {
  oracle?: { f1?: number | null; fBeta?: number | null; precision?: number | null; recall?: number | null; beta?: number };
  aucPr?: number | null;
  aucRoc?: number | null;
  deployable?: { f1?: number | null; precision?: number | null; recall?: number | null; threshold?: number | null; protocol?: string };
  events?: { deployable?: { detected: number; ranges: number; falseAlarms: number; pointAdjustedF1: number | null } | null };
}

const RUN_STATUSES = ['running', 'completed', 'failed', 'interrupted', 'unreadable'];

/** The headline number of a run: the best oracle F1 over its channels and joint score. */
function bestOracleF(run: RunSummary): string {
  const values = Object.values((run.metrics ?? {}) as Record<string, MetricsEntry>)
    .map((m) => m?.oracle?.f1)
    .filter((v): v is number => typeof v === 'number');
  return values.length ? Math.max(...values).toFixed(4) : '-';
}

function duration(run: RunSummary): string {
  return run.durationMs !== undefined ? `${(run.durationMs / 1000).toFixed(1)}s` : '-';
}

/** What `runs show --json` and `runs list --json` print for a run. */
function runJson(run: RunSummary) {
  const { dir, ...record } = run;
  return { ...record, dir };
}

export const runsListCommand: Command = {
  path: ['runs', 'list'],
  summary: 'list the runs in the run store',
  help: `Usage: anomalab runs list [--json] [--status <status>] [--runs <dir>]

Lists runs oldest first: id, status, experiment, dataset, model, backend, duration and the
best oracle F1 (threshold chosen on test labels: an upper bound) over channels and joint.

Options:
  --json             the run records as a JSON array
  --status <status>  only runs with this status (running, completed, failed, interrupted,
                     unreadable: a run.json that cannot be parsed, listed with the reason)`,
  options: { json: { type: 'boolean' }, status: { type: 'string' } },
  async run({ values }, ctx) {
    if (values.status !== undefined && !RUN_STATUSES.includes(values.status)) {
      throw new AnomalabError('ANOMALAB_USAGE', `--status must be one of ${RUN_STATUSES.join(', ')}, got ${JSON.stringify(values.status)}`);
    }
    const app = await openApp(ctx);
    let runs = await app.runs.list();
    if (values.status) runs = runs.filter((r) => r.status === values.status);
    if (values.json) {
      writeJson(ctx, runs.map(runJson));
      return 0;
    }
    if (!runs.length) {
      ctx.out.write(`no runs in ${app.runs.root}\n`);
      return 0;
    }
    ctx.out.write(
      table([
        ['ID', 'STATUS', 'EXPERIMENT', 'DATASET', 'MODEL', 'BACKEND', 'TIME', 'ORACLE F1'],
        ...runs.map((r) => [r.id, r.status, r.experiment, r.dataset, r.model, r.backend, duration(r), bestOracleF(r)]),
      ]),
    );
    // A corrupt run.json is listed (not hidden) with what is wrong with it.
    for (const r of runs.filter((r) => r.status === 'unreadable')) ctx.out.write(`unreadable: ${r.id}: ${r.error?.message}\n`);
    return 0;
  },
};

export const runsShowCommand: Command = {
  path: ['runs', 'show'],
  summary: 'show one run: record, config and metrics',
  help: `Usage: anomalab runs show <run-id> [--json]

Prints the run record, a metrics table per channel and joint score (oracle F1/P/R with
the threshold chosen on test labels, AUC-PR, AUC-ROC, deployable F1/P/R with the threshold
chosen without test labels, point-adjusted F1 next to it, detected anomaly ranges and false
alarms at the deployable threshold) and the last log lines.

Options:
  --json   {id, status, experiment, dataset, model, metrics, ...} plus config and results;
           metrics: {"<channel>"|"joint": {"oracle": {"f1","precision","recall","threshold",...},
           "aucPr", "aucRoc", "deployable": {...}, "events": {"deployable", "oracle"}, "notes"}}`,
  allowPositionals: true,
  options: { json: { type: 'boolean' } },
  async run({ values, positionals }, ctx) {
    const app = await openApp(ctx);
    if (positionals.length !== 1) throw new AnomalabError('ANOMALAB_USAGE', 'expected one run id\nsee: anomalab runs show --help');
    const run = await app.runs.get(positionals[0]!);
    const config = await app.runs.readConfig<Record<string, unknown>>(run.id);
    const results = await app.runs.readResults<Record<string, unknown>>(run.id);
    if (values.json) {
      writeJson(ctx, { ...runJson(run), config, results: results ?? null });
      return 0;
    }
    const lines = [
      `run        ${run.id}`,
      `status     ${run.status}${run.error ? ` (${run.error.message})` : ''}`,
      `experiment ${run.experiment}${run.configFile ? ` (${run.configFile})` : ''}`,
      `dataset    ${run.dataset}`,
      `model      ${run.model} (${run.engine ?? '?'}, tfjs backend ${run.backend})`,
      `seed       ${run.seed}`,
      `started    ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt} (${duration(run)})` : ''}`,
      `commit     ${run.gitCommit ?? 'unknown'}`,
      `folder     ${run.dir}`,
    ];
    ctx.out.write(lines.join('\n') + '\n');
    if (run.metrics && Object.keys(run.metrics).length) {
      const rows = [['CHANNEL', 'ORACLE F1', 'P', 'R', 'AUC-PR', 'AUC-ROC', 'DEPLOY F1', 'PA-F1', 'P', 'R', 'RANGES', 'FALSE ALARMS']];
      const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '-');
      let protocol: string | undefined;
      for (const [channel, m] of Object.entries(run.metrics as Record<string, MetricsEntry>)) {
        const ev = m?.events?.deployable;
        protocol ??= m?.deployable?.protocol;
        rows.push([
          channel,
          f(m?.oracle?.f1), f(m?.oracle?.precision), f(m?.oracle?.recall),
          f(m?.aucPr), f(m?.aucRoc),
          f(m?.deployable?.f1), f(ev?.pointAdjustedF1), f(m?.deployable?.precision), f(m?.deployable?.recall),
          ev ? `${ev.detected}/${ev.ranges}` : '-', ev ? String(ev.falseAlarms) : '-',
        ]);
      }
      ctx.out.write('\n' + table(rows));
      ctx.out.write(`oracle: threshold chosen on test labels (upper bound); AUCs: threshold-free; deploy: ${protocol ?? 'threshold chosen without test labels'}\n`);
      ctx.out.write('PA-F1: point-adjusted F1 at the deploy threshold (inflated; compare with DEPLOY F1); RANGES detected/total and FALSE ALARMS at the deploy threshold\n');
      const extra = evaluatorTables(Object.entries(run.metrics as Record<string, ChannelMetrics>), 4);
      if (extra.free.length) ctx.out.write('\n' + table(extra.free));
      if (extra.thresholded.length) ctx.out.write('\n' + table(extra.thresholded));
      for (const line of extra.legend) ctx.out.write(`${line}\n`);
    }
    const text = await app.runs.readLog(run.id).catch(() => undefined);
    if (text !== undefined) {
      const log = text.trimEnd().split('\n');
      ctx.out.write(`\nlast log lines:\n${log.slice(-5).join('\n')}\n`);
    }
    return 0;
  },
};
