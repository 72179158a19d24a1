import type { Random } from '@anomalab/core';
import type { Tensor1D, Tensor2D, Tf } from './tf-types.ts';

/** What shapes the parameters; stored with checkpoints and checked on restore. */
export interface Architecture {
  channels: number;
  hidden: number;
}

/** One named parameter inside the flat vector. Weights are [in, out] (x @ W). */
export interface ParameterSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** Initialisation: uniform(-bound, bound). */
  bound: number;
}

/**
 * All parameters live in one flat vector, so clipping and Adam are a few ops per step and
 * a checkpoint is a table of slices. LSTM weights are `[W_ih; W_hh]` stacked ([C + H, 4H],
 * input rows first) so a cell step is one matMul of `[x, h]`; gate blocks [i, f, o, g].
 */
export function parameterLayout({ channels: C, hidden: H }: Architecture): ParameterSlot[] {
  const slots: ParameterSlot[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], bound: number) => {
    const size = shape.reduce((a, b) => a * b, 1);
    slots.push({ name, shape, offset, size, bound });
    offset += size;
  };
  const k = 1 / Math.sqrt(H); // PyTorch's default for LSTM and Linear(H, C)
  add('encoder.weight', [C + H, 4 * H], k);
  add('encoder.bias', [4 * H], k);
  add('decoder.weight', [C + H, 4 * H], k);
  add('decoder.bias', [4 * H], k);
  add('output.weight', [H, C], k);
  add('output.bias', [C], k);
  return slots;
}

export function parameterCount(arch: Architecture): number {
  const last = parameterLayout(arch).at(-1)!;
  return last.offset + last.size;
}

/** Initial parameters drawn in layout order (same seed, same weights). */
export function initialParameters(arch: Architecture, random: Random): Float32Array {
  const flat = new Float32Array(parameterCount(arch));
  for (const slot of parameterLayout(arch)) for (let i = 0; i < slot.size; i++) flat[slot.offset + i] = (2 * random.uniform() - 1) * slot.bound;
  return flat;
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
  const slots = new Map(parameterLayout(arch).map((s) => [s.name, s]));
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
