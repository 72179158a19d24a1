// @anomalab/tfjs: what the tfjs model packages share. The core knows no tensor library;
// a model that uses tfjs depends on this package and calls `tensorsFor(services)` in create().
export { loadTensorRuntime, tensorsFor } from './runtime.ts';
export type { BackendPreference, TensorRuntime, Tf } from './runtime.ts';
export { FlatAdam } from './flat-adam.ts';
export type { AdamSettings } from './flat-adam.ts';
export { FlatNetwork } from './flat-network.ts';
export type { FlatArrays } from './flat-network.ts';
export { FlatParameterPredictor } from './flat-predictor.ts';
export { dense, lstmStep, stopGradient } from './cells.ts';
export type { LstmState } from './cells.ts';
