/** A named float tensor inside a checkpoint (weights, optimizer moments...). */
export interface TensorData {
  shape: number[];
  data: Float32Array;
}

/** Everything a predictor needs to continue exactly where it stopped. */
export interface PredictorState {
  /** Format tag chosen by the model family, e.g. `rnn/1`; checked on restore. */
  format: string;
  tensors: Record<string, TensorData>;
  /** JSON-serialisable rest (optimizer step, RNG state, ...). */
  json: Record<string, unknown>;
}

export interface Checkpoint {
  /** Number of completed epochs the weights correspond to. */
  epoch: number;
  bestValidationLoss: number | null;
  /** The fully resolved experiment config. */
  config: Record<string, unknown>;
  predictor: PredictorState;
  /** Fitted detector parameters (after training), JSON. */
  detector?: Record<string, unknown>;
  /** State of the run's seeded Random, where the model used it. */
  random?: number[];
  savedAt: string;
}

/**
 * Checkpoints of the current run (`<run>/checkpoints/<tag>.ckpt`). Writes are atomic:
 * a crash leaves the previous checkpoint intact, never a partial file.
 * Tags in use: `last` (every save interval and at the end), `best` (best validation loss).
 */
export interface CheckpointStore {
  save(tag: string, checkpoint: Checkpoint): Promise<void>;
  load(tag: string): Promise<Checkpoint | undefined>;
  list(): Promise<string[]>;
}
