// The metric functions, pure and independent of anomalab's pipeline (for reuse and tests).
export * from './metrics/ranges.ts';
export * from './metrics/vus.ts';
export * from './metrics/range-pr.ts';
export * from './metrics/affiliation.ts';
export * from './metrics/pa-k.ts';
export * from './metrics/window.ts';
