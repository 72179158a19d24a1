export type { Tf } from '@anomalab/tfjs';
export type Tensor = import('@tensorflow/tfjs').Tensor;
export type Tensor1D = import('@tensorflow/tfjs').Tensor1D;
export type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
