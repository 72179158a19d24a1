import { ParameterLayout } from '@anomalab/core';
import type { Tensor1D, Tensor2D, Tf } from './tf-types.ts';

/** What shapes the parameters; stored with checkpoints and checked on restore. */
export interface Architecture {
  channels: number;
  hidden: number;
}

/**
 * All parameters live in one flat vector (the core's ParameterLayout), so clipping and
 * Adam are a few ops per step and a checkpoint is a table of slices. Weights are [in, out]
 * (x @ W). LSTM weights are `[W_ih; W_hh]` stacked ([C + H, 4H], input rows first) so a
 * cell step is one matMul of `[x, h]`; gate blocks [i, f, o, g].
 */
export function encdecParameters({ channels: C, hidden: H }: Architecture): ParameterLayout {
  const k = 1 / Math.sqrt(H); // PyTorch's default for LSTM and Linear(H, C)
  return new ParameterLayout()
    .add('encoder.weight', [C + H, 4 * H], k)
    .add('encoder.bias', [4 * H], k)
    .add('decoder.weight', [C + H, 4 * H], k)
    .add('decoder.bias', [4 * H], k)
    .add('output.weight', [H, C], k)
    .add('output.bias', [C], k);
}

/** Tensor views of the flat parameters (created inside the caller's tidy or gradient scope). */
export interface Weights {
  encoderW: Tensor2D;
  encoderB: Tensor1D;
  decoderW: Tensor2D;
  decoderB: Tensor1D;
  outputW: Tensor2D;
  outputB: Tensor1D;
  /** Transposed weight matrices (constants, training only; see `dense`). */
  encoderWT?: Tensor2D;
  decoderWT?: Tensor2D;
  outputWT?: Tensor2D;
}

export function weightViews(tf: Tf, arch: Architecture, flat: Tensor1D): Weights {
  const slots = new Map(encdecParameters(arch).slots.map((s) => [s.name, s]));
  const view = (name: string) => {
    const s = slots.get(name)!;
    return tf.reshape(tf.slice(flat, s.offset, s.size), s.shape);
  };
  return {
    encoderW: view('encoder.weight') as Tensor2D,
    encoderB: view('encoder.bias') as Tensor1D,
    decoderW: view('decoder.weight') as Tensor2D,
    decoderB: view('decoder.bias') as Tensor1D,
    outputW: view('output.weight') as Tensor2D,
    outputB: view('output.bias') as Tensor1D,
  };
}

/** Transposes of the weight matrices, computed once per batch outside the gradient tape. */
export function transposed(tf: Tf, arch: Architecture, flat: Tensor1D): Pick<Weights, 'encoderWT' | 'decoderWT' | 'outputWT'> {
  return tf.tidy(() => {
    const w = weightViews(tf, arch, flat);
    return { encoderWT: tf.transpose(w.encoderW), decoderWT: tf.transpose(w.decoderW), outputWT: tf.transpose(w.outputW) };
  }) as Pick<Weights, 'encoderWT' | 'decoderWT' | 'outputWT'>;
}
