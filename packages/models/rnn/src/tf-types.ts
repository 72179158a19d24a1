import type { TensorRuntime } from '@anomalab/core';

/** The tfjs namespace exactly as `services.tensors()` hands it out. */
export type Tf = TensorRuntime['tf'];
