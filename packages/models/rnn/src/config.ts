import type { JSONSchema } from '@anomalab/core';
import type { NoiseMode } from './augment.ts';

/** Recurrent cell types, named like PyTorch's `nn.RNN` modes used by the reference. */
export type CellType = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

/** `model.options` of the `rnn` model (snake_case, as written in experiment YAML). */
export interface RnnOptions {
  cell: CellType;
  /** Encoder output size E. */
  embedding: number;
  /** Hidden size H of every recurrent layer. */
  hidden: number;
  /** Number of stacked recurrent layers N. */
  layers: number;
  dropout: number;
  lr: number;
  weight_decay: number;
  /** Global gradient-norm clip. */
  clip: number;
  batch_size: number;
  bptt: number;
  residual: boolean;
  /** Rows of the noise-augmented train (and validation) series. */
  augment_length: number;
  /** Noise standard deviation as a fraction of each channel's train std. */
  noise: number;
  /** The reference's one noise draw reused for every augmented copy, or fresh noise per copy. */
  noise_mode: NoiseMode;
  /** Where the initial weights, the reference-mode noise and the dropout masks come from. */
  rng: RngKind;
  /** Training engine: the fused WebAssembly SIMD kernel, or the tfjs reference path. */
  engine: Engine;
  /** Worker threads of the fused engine's training windows (1: the calling thread only). */
  threads: 1 | 2;
  /** Threads of the fused engine's forecasts and streams (2: big chunks split with a helper thread; same numbers). */
  forecast_threads: 1 | 2;
}

/**
 * `torch`: PyTorch's CPU generator, drawn in the original's order (./torch-random.ts), so a
 * seed gives the random inputs of the original's `--seed`; `counter`: anomalab's own streams
 * (xoshiro128** for weights and noise, per-window mulberry32 masks keyed by (seed, step)).
 */
export type RngKind = 'torch' | 'counter';

/** `fused`: one WebAssembly call per training window (src/fused); `tfjs`: the reference implementation. */
export type Engine = 'fused' | 'tfjs';

/** The reference project's defaults (chickenbestlover/RNN-Time-series-Anomaly-Detection). */
export const DEFAULT_OPTIONS: RnnOptions = {
  cell: 'LSTM',
  embedding: 32,
  hidden: 32,
  layers: 2,
  dropout: 0.2,
  lr: 2e-4,
  weight_decay: 1e-4,
  clip: 10,
  batch_size: 64,
  bptt: 50,
  residual: false,
  augment_length: 100_000,
  noise: 0.05,
  noise_mode: 'reference',
  rng: 'torch',
  engine: 'fused',
  threads: 1,
  forecast_threads: 2,
};

/** JSON Schema of `model.options`; the core validates against it and fills in defaults. */
export const rnnOptionsSchema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cell: { type: 'string', enum: ['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'], default: DEFAULT_OPTIONS.cell, description: 'Recurrent cell: LSTM, GRU, or a plain RNN with tanh or ReLU.' },
    embedding: { type: 'integer', minimum: 1, default: DEFAULT_OPTIONS.embedding, description: 'Size E of the linear encoder output (the reference calls it emsize). Independent of hidden.' },
    hidden: { type: 'integer', minimum: 1, default: DEFAULT_OPTIONS.hidden, description: 'Hidden size H of every recurrent layer (nhid).' },
    layers: { type: 'integer', minimum: 1, default: DEFAULT_OPTIONS.layers, description: 'Number of stacked recurrent layers (nlayers).' },
    dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: DEFAULT_OPTIONS.dropout, description: 'Dropout after the encoder, between recurrent layers and before the decoder (training only).' },
    lr: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_OPTIONS.lr, description: 'Adam learning rate.' },
    weight_decay: { type: 'number', minimum: 0, default: DEFAULT_OPTIONS.weight_decay, description: 'L2 penalty added to the gradient before the Adam update (classic Adam, not AdamW).' },
    clip: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_OPTIONS.clip, description: 'Gradients are rescaled to at most this global L2 norm.' },
    batch_size: { type: 'integer', minimum: 1, default: DEFAULT_OPTIONS.batch_size, description: 'Number of parallel lanes the augmented series is cut into (batchify); also used for validation.' },
    bptt: { type: 'integer', minimum: 1, default: DEFAULT_OPTIONS.bptt, description: 'Steps per truncated-backpropagation window.' },
    residual: { type: 'boolean', default: DEFAULT_OPTIONS.residual, description: 'Add the input row to the decoder output (predict the change).' },
    augment_length: { type: 'integer', minimum: 2, default: DEFAULT_OPTIONS.augment_length, description: 'Rows of the noise-augmented train and validation series (the split plus noisy copies, truncated).' },
    noise: { type: 'number', minimum: 0, default: DEFAULT_OPTIONS.noise, description: 'Augmentation noise std as a fraction of each channel\'s std on the (standardised) train split.' },
    noise_mode: { type: 'string', enum: ['fresh', 'reference'], default: DEFAULT_OPTIONS.noise_mode, description: 'reference: as the original, one noise sequence reused for every copy and at most 100 copies (its quirk; with rng: torch the same noise as the original\'s); fresh: every noisy copy gets new noise (the evident intent).' },
    rng: { type: 'string', enum: ['torch', 'counter'], default: DEFAULT_OPTIONS.rng, description: 'torch: PyTorch\'s CPU generator (mt19937) drawn in the original\'s order (noise, then initial weights, then each window\'s dropout masks), so seed S gives the initial weights, reference-mode noise and dropout masks of the original run with --seed S; counter: anomalab\'s own streams (each window\'s masks from (seed, step), a little cheaper).' },
    engine: { type: 'string', enum: ['fused', 'tfjs'], default: DEFAULT_OPTIONS.engine, description: 'Training engine: fused (the whole window in one WebAssembly SIMD call) or tfjs (the reference implementation). Same losses and weights; checkpoints move between them.' },
    threads: { type: 'integer', enum: [1, 2], default: DEFAULT_OPTIONS.threads, description: 'Fused engine only: 2 splits the batch lanes of each training window over two worker threads (each half its own WebAssembly instance; gradients summed, one Adam update); the same losses and weights as 1 up to float32 summation order. Needs batch_size >= 2.' },
    forecast_threads: { type: 'integer', enum: [1, 2], default: DEFAULT_OPTIONS.forecast_threads, description: 'Fused engine only: 2 lets forecasts and streams use a second core: the rows of each push of at least 64 rows (and of batch forecasts of at least 8,192 rows) are split between the calling thread and a helper thread, with the same numbers bit for bit as 1. Only on machines with at least 2 cores (os.availableParallelism()); 1: the calling thread only.' },
  },
};

/** Defaults applied to partial options (the core already does this; tests and scripts use it). */
export function resolveOptions(options: Partial<RnnOptions> = {}): RnnOptions {
  return { ...DEFAULT_OPTIONS, ...options };
}
