import { describe, expect, it } from 'vitest';
import { metricKeysOf, metricValue, ranksOf, runMetricValue } from './metric-keys.ts';
import type { ChannelMetrics } from './channel-metrics.ts';

const channel = (aucPr: number, vusPr: number | null, rangeF1: number): ChannelMetrics =>
  ({
    aucPr,
    aucRoc: 0.9,
    oracle: { f1: 0.5 },
    deployable: { f1: 0.25 },
    evaluators: {
      vus: { metrics: { 'vus-pr': vusPr }, oracle: null, deployable: null, parameters: {}, notes: [] },
      'range-pr': { metrics: {}, oracle: { threshold: 1, protocol: 'p', metrics: { 'range-f1': rangeF1 } }, deployable: null, parameters: {}, notes: [] },
    },
  }) as unknown as ChannelMetrics;

describe('metric keys', () => {
  it('reads core, threshold-free and thresholded keys', () => {
    const m = channel(0.4, 0.6, 0.7);
    expect(metricValue(m, 'auc-pr')).toBe(0.4);
    expect(metricValue(m, 'f1@deployable')).toBe(0.25);
    expect(metricValue(m, 'vus-pr')).toBe(0.6);
    expect(metricValue(m, 'range-f1@oracle')).toBe(0.7);
    expect(metricValue(m, 'range-f1@deployable')).toBeNull();
    expect(metricValue(m, 'range-f1')).toBeNull(); // thresholded keys need @oracle or @deployable
    expect(metricKeysOf(m)).toEqual(['auc-pr', 'auc-roc', 'f1@oracle', 'f1@deployable', 'vus-pr', 'range-f1@oracle']);
  });

  it('a run is the joint value, else the channel mean; runs without evaluators give null', () => {
    expect(runMetricValue({ a: channel(0.2, 0.4, 0), b: channel(0.4, 0.8, 0) }, 'vus-pr')).toBeCloseTo(0.6, 12);
    expect(runMetricValue({ a: channel(0.2, 0.4, 0), joint: channel(0.9, 0.1, 0) }, 'vus-pr')).toBe(0.1);
    expect(runMetricValue({ a: { aucPr: 0.3 } as ChannelMetrics }, 'vus-pr')).toBeNull();
  });

  it('ranks: 1 is best, ties share the mean rank, nulls are unranked', () => {
    expect(ranksOf([0.5, 0.9, null, 0.5, 0.1])).toEqual([2.5, 1, null, 2.5, 4]);
  });
});
