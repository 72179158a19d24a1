// The rnn's shapes and flat parameter layout. Browser-safe: no tfjs and no Node APIs, so the
// page that scores a file with the fused kernel (./browser.ts) can decode a checkpoint.
import { ParameterLayout, type ParameterSlot, type Random } from '@anomalab/core';
import type { CellType, RnnOptions } from './config.ts';

/** Checkpoint format tag of this model family. */
export const STATE_FORMAT = 'rnn/1';

/** Gate blocks per cell type: LSTM [i, f, o, g], GRU [r, z, n], plain RNN [h]. */
export const GATES: Record<CellType, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };

/** Architecture: the options that shape the parameters, plus the channel count. */
export interface Architecture {
  channels: number;
  cell: CellType;
  embedding: number;
  hidden: number;
  layers: number;
  residual: boolean;
}

export function architectureOf(options: RnnOptions, channels: number): Architecture {
  return { channels, cell: options.cell, embedding: options.embedding, hidden: options.hidden, layers: options.layers, residual: options.residual };
}

/**
 * All parameters live in one flat Float32 vector (the core's ParameterLayout): gradients,
 * clipping and Adam are then a handful of ops per window instead of a handful per
 * parameter tensor. Weights are [in, out] (x @ W), PyTorch's transpose. Per layer,
 * weight_ih and weight_hh are adjacent so `[weight_ih; weight_hh]` is a single view.
 */
export function rnnParameters(arch: Architecture): ParameterLayout {
  const { channels: C, embedding: E, hidden: H, layers: N } = arch;
  const G = GATES[arch.cell];
  const layout = new ParameterLayout();
  layout.add('encoder.weight', [C, E], 0.1);
  layout.add('encoder.bias', [E], 1 / Math.sqrt(C)); // PyTorch's nn.Linear default; the reference only re-initialises the weight
  const k = 1 / Math.sqrt(H); // PyTorch's default for all recurrent weights and biases
  for (let l = 0; l < N; l++) {
    layout.add(`rnn.${l}.weight_ih`, [l === 0 ? E : H, G * H], k);
    layout.add(`rnn.${l}.weight_hh`, [H, G * H], k);
    layout.add(`rnn.${l}.bias_ih`, [G * H], k);
    layout.add(`rnn.${l}.bias_hh`, [G * H], k);
  }
  layout.add('decoder.weight', [H, C], 0.1);
  layout.add('decoder.bias', [C], 0);
  return layout;
}

export function parameterLayout(arch: Architecture): ParameterSlot[] {
  return rnnParameters(arch).slots;
}

export function parameterCount(arch: Architecture): number {
  return rnnParameters(arch).size;
}

/** Initial flat parameters, drawn in layout order from `random` (seeded: same seed, same weights). */
export function initialParameters(arch: Architecture, random: Random): Float32Array {
  return rnnParameters(arch).initialParameters(random);
}

