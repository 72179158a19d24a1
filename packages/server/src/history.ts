/** Training curves in columns (one array per loss term), ready for a chart. */
export interface History {
  epoch: number[];
  /** Train loss terms by name (`loss` and whatever else the model reports). */
  train: Record<string, Array<number | null>>;
  validation: Record<string, Array<number | null>>;
  durationMs: Array<number | null>;
}

interface EpochRecord {
  type: 'epoch';
  epoch: number;
  train?: Record<string, number>;
  validation?: Record<string, number>;
  duration_ms?: number;
}

/**
 * Per-epoch loss terms from metrics.jsonl. A resumed run repeats the epochs after its
 * last checkpoint; the later record of an epoch wins. Torn last lines (a run being
 * written right now) are skipped.
 */
export function parseHistory(jsonl: string): History {
  const byEpoch = new Map<number, EpochRecord>();
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let record: EpochRecord;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (record?.type === 'epoch' && typeof record.epoch === 'number') byEpoch.set(record.epoch, record);
  }
  const records = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  const terms = (split: 'train' | 'validation') => [...new Set(records.flatMap((r) => Object.keys(r[split] ?? {})))];
  const column = (split: 'train' | 'validation', term: string) => records.map((r) => (typeof r[split]?.[term] === 'number' ? r[split]![term]! : null));
  return {
    epoch: records.map((r) => r.epoch),
    train: Object.fromEntries(terms('train').map((t) => [t, column('train', t)])),
    validation: Object.fromEntries(terms('validation').map((t) => [t, column('validation', t)])),
    durationMs: records.map((r) => r.duration_ms ?? null),
  };
}
