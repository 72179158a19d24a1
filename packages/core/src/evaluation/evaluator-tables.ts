import type { ChannelMetrics } from './channel-metrics.ts';
import { metricValue } from './metric-keys.ts';

/** Threshold-free evaluator columns (key, header). */
const FREE: [string, string][] = [['vus-pr', 'VUS-PR'], ['vus-roc', 'VUS-ROC'], ['range-auc-pr', 'R-AUC-PR'], ['range-auc-roc', 'R-AUC-ROC']];
/** Thresholded columns: point F1 first, the PA%K values right beside it, then range-based and affiliation F1. */
const AT: [string, string][] = [
  ['f1', 'F1'], ['pa0-f1', 'F1-PA%0'], ['pa20-f1', 'F1-PA%20'], ['pa50-f1', 'F1-PA%50'], ['pa-auc', 'AUC-PA%K'],
  ['range-precision', 'R-P'], ['range-recall', 'R-R'], ['range-f1', 'R-F1'],
  ['affiliation-precision', 'AFF-P'], ['affiliation-recall', 'AFF-R'], ['affiliation-f1', 'AFF-F1'],
];

const fmt = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));

/**
 * The evaluator plugins' metrics as rows for a text table (the experiment summary and
 * `runs show`): one table of threshold-free metrics per channel, one of thresholded
 * metrics per channel x threshold (oracle, deployable), plus a legend. Columns no entry
 * has are left out; empty when no evaluator ran.
 */
export function evaluatorTables(entries: [string, ChannelMetrics][], digits = 3): { free: string[][]; thresholded: string[][]; legend: string[] } {
  const has = (key: string) => entries.some(([, m]) => metricValue(m, key) !== null);
  const free = FREE.filter(([k]) => has(k));
  const at = AT.filter(([k]) => k === 'f1' || has(`${k}@oracle`) || has(`${k}@deployable`));
  const out = { free: [] as string[][], thresholded: [] as string[][], legend: [] as string[] };
  if (!entries.some(([, m]) => Object.keys(m.evaluators ?? {}).length)) return out;
  if (free.length) {
    out.free = [['CHANNEL', ...free.map(([, h]) => h), 'VUS WINDOW'], ...entries.map(([channel, m]) => {
      const p = m.evaluators?.vus?.parameters;
      return [channel, ...free.map(([k]) => fmt(metricValue(m, k), digits)), p ? `${p.window} (${p.windowRule})` : '-'];
    })];
  }
  if (at.length > 1) {
    out.thresholded = [['CHANNEL', 'THRESHOLD', ...at.map(([, h]) => h)]];
    for (const [channel, m] of entries) {
      for (const name of ['oracle', 'deployable'] as const) {
        const values = at.map(([k]) => metricValue(m, `${k}@${name}`));
        if (values.slice(1).every((v) => v === null)) continue;
        out.thresholded.push([channel, name, ...values.map((v) => fmt(v, digits))]);
      }
    }
    if (out.thresholded.length === 1) out.thresholded = [];
  }
  out.legend.push(
    'VUS-PR/ROC: range-AUC over buffer windows 0..w (TSB-AD), threshold-free; R-AUC-PR/ROC: at the buffer w',
    'thresholded metrics at the oracle threshold (best point F1 on test labels: optimistic) and the deployable one; F1-PA%K: point-adjusted F1 (PA%0 flatters every detector: read it next to F1); R-: range-based (Tatbul et al.); AFF-: affiliation (Huet et al.)',
  );
  return out;
}
