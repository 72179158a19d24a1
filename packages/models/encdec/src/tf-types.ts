import type { TensorRuntime } from '@anomalab/core';

/** The tfjs namespace exactly as `services.tensors()` hands it out. */
export type Tf = TensorRuntime['tf'];
export type Tensor = import('@tensorflow/tfjs').Tensor;
export type Tensor1D = import('@tensorflow/tfjs').Tensor1D;
export type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
