import type { JSONSchema } from '@anomalab/core';

/** `model.options` of the `encdec` model (snake_case, as written in experiment YAML). */
export interface EncDecOptions {
  /** Window length L the encoder reads and the decoder reconstructs. */
  window_length: number;
  /** Hidden (and cell) state size of the encoder and decoder LSTMs. */
  hidden: number;
  lr: number;
  /** Windows per Adam step. */
  batch_size: number;
  /** Rows between the starts of consecutive training (and validation) windows. */
  stride: number;
  /** Global gradient-norm clip. */
  clip: number;
  /** Probability of feeding the decoder the true row during training (1: the paper's teacher forcing). */
  teacher_forcing: number;
  /** Error vector entries: |x - x'| (the paper) or x' - x. */
  error: 'absolute' | 'signed';
  /** Windows reconstructed per batch when scoring (memory vs. speed only). */
  inference_batch: number;
}

export const DEFAULT_OPTIONS: EncDecOptions = {
  window_length: 32,
  hidden: 32,
  lr: 1e-3,
  batch_size: 32,
  stride: 1,
  clip: 5,
  teacher_forcing: 1,
  error: 'absolute',
  inference_batch: 256,
};

/** JSON Schema of `model.options`; the core validates against it and fills in the defaults. */
export const encdecOptionsSchema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    window_length: {
      type: 'integer',
      minimum: 2,
      default: DEFAULT_OPTIONS.window_length,
      description: 'Window length L: the encoder reads L rows, the decoder reconstructs them in reverse order. detector.window must be <= L.',
    },
    hidden: { type: 'integer', minimum: 1, default: DEFAULT_OPTIONS.hidden, description: 'Hidden state size of the encoder and decoder LSTMs (one layer each).' },
    lr: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_OPTIONS.lr, description: 'Adam learning rate.' },
    batch_size: { type: 'integer', minimum: 1, default: DEFAULT_OPTIONS.batch_size, description: 'Windows per Adam step; windows are shuffled every epoch (seeded).' },
    stride: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_OPTIONS.stride,
      description: 'Rows between consecutive training and validation windows (1: every window). Scoring always uses every window.',
    },
    clip: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_OPTIONS.clip, description: 'Gradients are rescaled to at most this global L2 norm before the Adam step.' },
    teacher_forcing: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: DEFAULT_OPTIONS.teacher_forcing,
      description: 'Training: probability per decoder step of feeding the true row rather than the decoder output (1: teacher forcing as in the paper; lower values train the free-running mode used for scoring).',
    },
    error: {
      type: 'string',
      enum: ['absolute', 'signed'],
      default: DEFAULT_OPTIONS.error,
      description: 'Entries of the error vectors: |x - reconstruction| as in the paper, or the signed reconstruction - x.',
    },
    inference_batch: { type: 'integer', minimum: 1, default: DEFAULT_OPTIONS.inference_batch, description: 'Windows reconstructed at once when computing error vectors (memory only, same results).' },
  },
};

/** Defaults applied to partial options (the core already does this; tests and scripts use it). */
export function resolveOptions(options: Partial<EncDecOptions> = {}): EncDecOptions {
  return { ...DEFAULT_OPTIONS, ...options };
}
