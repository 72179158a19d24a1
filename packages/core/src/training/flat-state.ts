import type { PredictorState } from '../contracts/checkpoint-store.ts';
import { AnomalabError } from '../errors.ts';
import type { ParameterLayout } from './parameter-layout.ts';

/** What a flat-parameter model needs to continue exactly: parameters, Adam moments and step, seed. */
export interface FlatTrainingState {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  /** Adam steps taken (also keys per-step random streams such as dropout). */
  step: number;
  seed: number;
}

/** How a model family tags and checks its checkpoints. */
export interface FlatStateFormat {
  /** Family name for messages, e.g. `rnn`. */
  family: string;
  /** Format tag, e.g. `rnn/1`. */
  format: string;
  layout: ParameterLayout;
  /** The options that shape the parameters; stored and compared on restore. */
  architecture: object;
}

/**
 * A flat model's checkpoint: weights and Adam moments each under its parameter name
 * (`weights/encoder.weight`, `adam_m/...`, `adam_v/...`); in `json` the Adam step, the
 * seed, the architecture and the parameter count.
 */
export function encodeFlatState(spec: FlatStateFormat, state: FlatTrainingState): PredictorState {
  const tensors: PredictorState['tensors'] = {};
  for (const slot of spec.layout.slots) {
    const part = (flat: Float32Array) => ({ shape: slot.shape, data: flat.slice(slot.offset, slot.offset + slot.size) });
    tensors[`weights/${slot.name}`] = part(state.params);
    tensors[`adam_m/${slot.name}`] = part(state.m);
    tensors[`adam_v/${slot.name}`] = part(state.v);
  }
  return { format: spec.format, tensors, json: { step: state.step, seed: state.seed, architecture: { ...spec.architecture }, parameters: spec.layout.size } };
}

/**
 * The inverse of `encodeFlatState`. Throws ANOMALAB_CHECKPOINT_INVALID (naming the family)
 * for another format, another architecture or a missing or mis-sized tensor. `seed` is
 * undefined when the checkpoint has none (the model keeps its own).
 */
export function decodeFlatState(spec: FlatStateFormat, state: PredictorState): Omit<FlatTrainingState, 'seed'> & { seed?: number } {
  const fail = (why: string) => new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `${spec.family}: ${why}`);
  if (state.format !== spec.format) throw fail(`not an ${spec.family} checkpoint (format ${state.format}, expected ${spec.format})`);
  const saved = JSON.stringify(state.json.architecture);
  const configured = JSON.stringify(spec.architecture);
  if (saved !== configured) throw fail(`checkpoint architecture ${saved} does not match the configured ${configured}`);
  const flat = (prefix: string) => {
    const out = new Float32Array(spec.layout.size);
    for (const slot of spec.layout.slots) {
      const tensor = state.tensors[`${prefix}/${slot.name}`];
      if (!tensor || tensor.data.length !== slot.size) throw fail(`checkpoint lacks ${prefix}/${slot.name} [${slot.shape.join(', ')}]`);
      out.set(tensor.data, slot.offset);
    }
    return out;
  };
  const step = Number(state.json.step ?? 0);
  return { params: flat('weights'), m: flat('adam_m'), v: flat('adam_v'), step, seed: typeof state.json.seed === 'number' ? state.json.seed : undefined };
}
