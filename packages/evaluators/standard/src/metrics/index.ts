// The metric functions, pure and independent of anomalab's pipeline (for reuse and tests).
export * from './ranges.ts';
export * from './vus.ts';
export * from './range-pr.ts';
export * from './affiliation.ts';
export * from './pa-k.ts';
export * from './window.ts';
