// @anomalab/core/testing: helpers for plugin packages' tests (imports vitest: tests only).
// First: tsyringe (used by the pipeline) needs the polyfill, also outside this repo's vitest setup.
import 'reflect-metadata';
export { makeTempDir } from './temp-dir.ts';
export { runModelConformance, CONFORMANCE_TESTS } from './conformance.ts';
export type { ConformanceTest, ModelConformanceOptions } from './conformance.ts';
export { conformanceData, conformanceDataset, standardizedConformanceData } from './conformance-data.ts';
export type { ConformanceDataOptions } from './conformance-data.ts';
export { createTestServices } from './model-services.ts';
export type { TestServices } from './model-services.ts';
