// @anomalab/core/browser: the browser-safe part of core (no Node APIs, no npm packages), for
// pages that score rows with a run's model. Model plugins' browser modules (`ModelPlugin.browser`)
// are bundled with `@anomalab/core` mapped to this file, so they may import only these.
export { AnomalabError } from './errors.ts';
export { ParameterLayout } from './training/parameter-layout.ts';
export { decodeFlatState } from './training/flat-state.ts';
export { StreamSession } from './streaming/stream-session.ts';
export { decodePredictorState, sessionFromPackage, STREAM_PACKAGE_FORMAT } from './streaming/stream-package.ts';
export type { StreamPackage, EncodedTensor } from './streaming/stream-package.ts';
export type { StreamScore, StreamThresholds } from './streaming/stream-session.ts';
export type { BrowserStreamInput, OpenBrowserStream, PredictorStream, PredictorStreamStep } from './contracts/stream.ts';
export type { PredictorState } from './contracts/checkpoint-store.ts';
