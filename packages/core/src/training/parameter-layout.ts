import type { Random } from '../contracts/services.ts';

/** One named parameter inside a model's flat parameter vector. */
export interface ParameterSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** Initialisation: uniform(-bound, bound), or zeros when bound is 0. */
  bound: number;
}

/**
 * The table of a flat parameter vector: every parameter a named slice, in order. Models
 * keep all parameters in one Float32 vector so gradients, clipping and Adam are a few
 * operations per step and a checkpoint is this table (see `encodeFlatState`).
 *
 * @example
 * const layout = new ParameterLayout().add('encoder.weight', [C, E], 0.1).add('decoder.bias', [C], 0);
 */
export class ParameterLayout {
  readonly slots: ParameterSlot[] = [];
  /** Total number of parameters. */
  size = 0;

  /** Append a parameter of `shape`, initialised uniform(-bound, bound) (zeros for bound 0). */
  add(name: string, shape: number[], bound: number): this {
    const size = shape.reduce((a, b) => a * b, 1);
    this.slots.push({ name, shape, offset: this.size, size, bound });
    this.size += size;
    return this;
  }

  /** Initial parameters drawn in layout order from `random` (same seed, same weights); zero-bound slots draw nothing. */
  initialParameters(random: Random): Float32Array {
    const flat = new Float32Array(this.size);
    for (const slot of this.slots) {
      for (let i = 0; i < slot.size; i++) flat[slot.offset + i] = slot.bound === 0 ? 0 : (2 * random.uniform() - 1) * slot.bound;
    }
    return flat;
  }
}
