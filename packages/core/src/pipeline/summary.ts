import type { RunResults } from './results.ts';
import { evaluatorTables } from '../evaluation/evaluator-tables.ts';

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '-' : v.toFixed(digits));

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '  ' + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

/**
 * The one-screen summary printed at the end of every experiment (and `anomalab score`):
 * one row per channel and joint, then how each threshold was chosen and any notes.
 */
export function formatMetricsSummary(results: RunResults): string[] {
  const entries = [...results.channels, ...(results.joint ? [results.joint] : [])];
  if (!entries.length) return [];
  const scoredBy = 'none' in results.detector ? `scored by the model (epoch ${results.scoredEpoch})` : `W=${results.window}, ${results.weights} weights of epoch ${results.scoredEpoch}`;
  const lines = [`metrics (${results.dataset}, ${results.split} rows ${results.rows}, ${scoredBy}):`];
  const beta = results.evaluation.beta;
  const fName = beta === 1 ? 'F1' : `F${beta}`;
  if (!results.labelled) {
    lines.push(
      ...table([
        ['CHANNEL', 'THRESHOLD', 'FLAGGED ROWS', 'SCORED ROWS'],
        ...entries.map((e) => [e.channel, num(e.metrics.deployable.threshold, 4), String(e.metrics.deployable.flaggedRows ?? '-'), String(e.metrics.scoredRows)]),
      ]),
    );
    lines.push(`  unlabelled: no metrics. threshold: ${entries[0]!.metrics.deployable.protocol}`);
    return lines;
  }
  lines.push(
    ...table([
      ['', `ORACLE ${fName}`, 'P', 'R', 'AUC-PR', 'AUC-ROC', `DEPLOY ${fName === 'F1' ? 'F1' : fName}`, 'PA-F1', 'P', 'R', 'RANGES', 'FALSE ALARMS'],
      ...entries.map(({ channel, metrics: m }) => {
        const ev = m.events.deployable;
        return [
          channel,
          num(m.oracle.fBeta),
          num(m.oracle.precision),
          num(m.oracle.recall),
          num(m.aucPr),
          num(m.aucRoc),
          num(beta === 1 ? m.deployable.f1 : m.deployable.fBeta),
          num(ev?.pointAdjustedF1),
          num(m.deployable.precision),
          num(m.deployable.recall),
          ev ? `${ev.detected}/${ev.ranges}` : '-',
          ev ? String(ev.falseAlarms) : '-',
        ];
      }),
    ]),
  );
  const deployProtocol = entries[0]!.metrics.deployable.protocol;
  lines.push(`  oracle: threshold chosen on test labels (upper bound); AUCs: threshold-free; deploy: ${deployProtocol}`);
  lines.push('  PA-F1: point-adjusted F1 at the deploy threshold (a range counts as fully found once one row is flagged; inflates scores)');
  lines.push('  RANGES: labelled anomaly ranges detected/total and FALSE ALARMS: flagged runs outside every range, at the deploy threshold');
  const extra = evaluatorTables(entries.map((e) => [e.channel, e.metrics]));
  if (extra.free.length) lines.push(...table(extra.free));
  if (extra.thresholded.length) lines.push(...table(extra.thresholded));
  for (const line of extra.legend) lines.push(`  ${line}`);
  const notes = new Map<string, string[]>();
  for (const e of entries) for (const n of e.metrics.notes) notes.set(n, [...(notes.get(n) ?? []), e.channel]);
  for (const e of entries) for (const [name, entry] of Object.entries(e.metrics.evaluators ?? {})) for (const n of entry.notes) notes.set(`${name}: ${n}`, [...(notes.get(`${name}: ${n}`) ?? []), e.channel]);
  for (const [note, channels] of notes) lines.push(`  note (${channels.join(', ')}): ${note}`);
  return lines;
}
