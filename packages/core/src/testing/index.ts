// @anomalab/core/testing: helpers for plugin packages' tests.
export { makeTempDir } from './temp-dir.ts';
