/**
 * One flat shape for a channel's metrics, whatever the run's format:
 * - run.json v2 (`{ oracle: { f1, precision, recall, threshold }, aucPr, aucRoc, deployable: {...}, events }`),
 * - run.json v1 (`{ oracle_f, oracle_precision, ..., deployable_threshold }`).
 * Lists, sorting, the leaderboard and the UI read only this shape.
 */
export interface ChannelSummary {
  oracle_f: number | null;
  oracle_precision: number | null;
  oracle_recall: number | null;
  oracle_threshold: number | null;
  deployable_f: number | null;
  deployable_precision: number | null;
  deployable_recall: number | null;
  deployable_threshold: number | null;
  auc_pr: number | null;
  auc_roc: number | null;
  /** Labelled ranges detected at the oracle / deployable threshold (v2 only). */
  oracle_events_detected: number | null;
  deployable_events_detected: number | null;
  events: number | null;
  deployable_false_alarms: number | null;
}

/** Keys of {@link ChannelSummary}, in display order. */
export const summaryKeys: Array<keyof ChannelSummary> = [
  'oracle_f', 'oracle_precision', 'oracle_recall', 'oracle_threshold',
  'deployable_f', 'deployable_precision', 'deployable_recall', 'deployable_threshold',
  'auc_pr', 'auc_roc', 'oracle_events_detected', 'deployable_events_detected', 'events', 'deployable_false_alarms',
];

const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
type Obj = Record<string, unknown> | undefined;

/** Normalise one channel's metrics (v1 or v2). */
export function channelSummary(raw: unknown): ChannelSummary {
  const m = (raw ?? {}) as Record<string, unknown>;
  const oracle = m.oracle as Obj;
  const deployable = m.deployable as Obj;
  const events = m.events as { oracle?: Obj; deployable?: Obj } | undefined;
  if (oracle && typeof oracle === 'object') {
    return {
      oracle_f: n(oracle.f1) ?? n(oracle.fBeta),
      oracle_precision: n(oracle.precision),
      oracle_recall: n(oracle.recall),
      oracle_threshold: n(oracle.threshold),
      deployable_f: n(deployable?.f1) ?? n(deployable?.fBeta),
      deployable_precision: n(deployable?.precision),
      deployable_recall: n(deployable?.recall),
      deployable_threshold: n(deployable?.threshold),
      auc_pr: n(m.aucPr),
      auc_roc: n(m.aucRoc),
      oracle_events_detected: n(events?.oracle?.detected),
      deployable_events_detected: n(events?.deployable?.detected),
      events: n(events?.oracle?.ranges) ?? n(events?.deployable?.ranges),
      deployable_false_alarms: n(events?.deployable?.falseAlarms),
    };
  }
  return {
    oracle_f: n(m.oracle_f),
    oracle_precision: n(m.oracle_precision),
    oracle_recall: n(m.oracle_recall),
    oracle_threshold: n(m.oracle_threshold),
    deployable_f: n(m.deployable_f),
    deployable_precision: n(m.deployable_precision),
    deployable_recall: n(m.deployable_recall),
    deployable_threshold: n(m.deployable_threshold),
    auc_pr: n(m.auc_pr) ?? n(m.aucPr),
    auc_roc: n(m.auc_roc) ?? n(m.aucRoc),
    oracle_events_detected: null,
    deployable_events_detected: null,
    events: null,
    deployable_false_alarms: null,
  };
}

/** Every channel (and `joint`) of a run.json `metrics`, normalised. */
export function metricsSummary(metrics: Record<string, unknown> | undefined): Record<string, ChannelSummary> {
  return Object.fromEntries(Object.entries(metrics ?? {}).map(([channel, m]) => [channel, channelSummary(m)]));
}

/** The number a run is ranked by: joint when present, else the mean over channels; null if none. */
export function headline(summary: Record<string, ChannelSummary>, key: keyof ChannelSummary): number | null {
  const joint = summary.joint?.[key];
  if (typeof joint === 'number') return joint;
  const values = Object.entries(summary)
    .filter(([name]) => name !== 'joint')
    .map(([, s]) => s[key])
    .filter((v): v is number => typeof v === 'number');
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}
