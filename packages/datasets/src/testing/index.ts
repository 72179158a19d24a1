// @anomalab/datasets/testing: helpers for tests in any package that need benchmark data.
export { findTestMirror } from './find-mirror.ts';
