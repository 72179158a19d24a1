import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './tf-types.ts';
import { dense } from '@anomalab/tfjs';
import { cellStep, stateSize, type LayerState, type LayerWeights } from './cells.ts';

/** PyTorch's `.detach()` for gradient functions (@anomalab/tfjs's). */
export { stopGradient } from '@anomalab/tfjs';
import { parameterLayout, type Architecture } from './architecture.ts';

// The shapes and the flat parameter layout (browser-safe, no tfjs), for existing importers.
export { architectureOf, initialParameters, parameterCount, parameterLayout, rnnParameters, type Architecture } from './architecture.ts';


type Tensor = tfType.Tensor;
type Tensor1D = tfType.Tensor1D;
type Tensor2D = tfType.Tensor2D;

/** Tensor views of the flat parameters (created inside the caller's tidy/gradient scope). */
export interface ModelWeights {
  encoderW: Tensor2D;
  encoderB: Tensor1D;
  layers: LayerWeights[];
  decoderW: Tensor2D;
  decoderB: Tensor1D;
  /** Transposed weights for the fast backward pass (training only; see `dense`). */
  encoderWT?: Tensor2D;
  decoderWT?: Tensor2D;
}

/** The transposed weight matrices, as constants (call outside the gradient tape, once per window). */
export interface TransposedWeights {
  encoderWT: Tensor2D;
  decoderWT: Tensor2D;
  layers: { wT?: Tensor2D; wIhT?: Tensor2D; wHhT?: Tensor2D }[];
}

export function transposedWeights(tf: Tf, arch: Architecture, flat: Tensor1D): TransposedWeights {
  return tf.tidy(() => {
    const w = weightViews(tf, arch, flat);
    const t = (x: Tensor2D | undefined) => (x ? (tf.transpose(x) as Tensor2D) : undefined);
    return {
      encoderWT: t(w.encoderW)!,
      decoderWT: t(w.decoderW)!,
      layers: w.layers.map((l) => (arch.cell === 'GRU' ? { wIhT: t(l.wIh), wHhT: t(l.wHh) } : { wT: t(l.w) })),
    } as unknown as tfType.TensorContainer;
  }) as unknown as TransposedWeights;
}

export function disposeTransposed(tf: Tf, t: TransposedWeights): void {
  tf.dispose([t.encoderWT, t.decoderWT, ...t.layers.flatMap((l) => [l.wT, l.wIhT, l.wHhT].filter((x): x is Tensor2D => Boolean(x)))]);
}

/** Attach transposed weights to views (training). */
export function withTransposed(w: ModelWeights, t: TransposedWeights): ModelWeights {
  return { ...w, encoderWT: t.encoderWT, decoderWT: t.decoderWT, layers: w.layers.map((l, i) => ({ ...l, ...t.layers[i] })) };
}

export function weightViews(tf: Tf, arch: Architecture, flat: Tensor1D): ModelWeights {
  const slots = new Map(parameterLayout(arch).map((s) => [s.name, s]));
  const view = (name: string) => {
    const s = slots.get(name)!;
    return tf.reshape(tf.slice(flat, s.offset, s.size), s.shape);
  };
  const layers: LayerWeights[] = [];
  for (let l = 0; l < arch.layers; l++) {
    const ih = slots.get(`rnn.${l}.weight_ih`)!;
    const hh = slots.get(`rnn.${l}.weight_hh`)!;
    const bIh = view(`rnn.${l}.bias_ih`) as Tensor1D;
    const bHh = view(`rnn.${l}.bias_hh`) as Tensor1D;
    const needsSplit = arch.cell === 'GRU';
    layers.push({
      // Adjacent in the flat vector: one slice gives the stacked [W_ih; W_hh].
      w: tf.reshape(tf.slice(flat, ih.offset, ih.size + hh.size), [ih.shape[0]! + hh.shape[0]!, ih.shape[1]!]),
      wIh: (needsSplit ? view(ih.name) : undefined) as Tensor2D,
      wHh: (needsSplit ? view(hh.name) : undefined) as Tensor2D,
      bias: (needsSplit ? undefined : tf.add(bIh, bHh)) as Tensor1D,
      bIh,
      bHh,
    });
  }
  return {
    encoderW: view('encoder.weight') as Tensor2D,
    encoderB: view('encoder.bias') as Tensor1D,
    layers,
    decoderW: view('decoder.weight') as Tensor2D,
    decoderB: view('decoder.bias') as Tensor1D,
  };
}

/** Recurrent state of the whole stack: per layer [h] or [h, c]. */
export type ModelState = LayerState[];

export function zeroState(tf: Tf, arch: Architecture, batch: number): ModelState {
  return Array.from({ length: arch.layers }, () => Array.from({ length: stateSize(arch.cell) }, () => tf.zeros([batch, arch.hidden]) as Tensor2D));
}

/** Dropout masks of one step (already scaled by 1/(1-p)): encoder output, then each layer's output. */
export type StepMasks = Tensor2D[];

export interface StepOutput {
  /** Prediction of the next row, [batch, C]. */
  output: Tensor2D;
  state: ModelState;
  /** Top layer output after dropout (what the reference returns as `hids`), [batch, H]. */
  top: Tensor2D;
}

/**
 * One time step of the model: encoder + dropout, the stacked cells with dropout between
 * layers, dropout, decoder (+ input when residual). `masks` undefined means eval mode.
 */
export function modelStep(tf: Tf, arch: Architecture, w: ModelWeights, x: Tensor2D, state: ModelState, masks?: StepMasks): StepOutput {
  let input = dense(tf, x, w.encoderW, w.encoderB, w.encoderWT);
  if (masks) input = tf.mul(input, masks[0]!);
  const next: ModelState = [];
  for (let l = 0; l < arch.layers; l++) {
    const layerState = cellStep(tf, arch.cell, w.layers[l]!, input, state[l]!);
    next.push(layerState);
    input = layerState[0]!;
    if (masks) input = tf.mul(input, masks[l + 1]!);
  }
  let output = dense(tf, input, w.decoderW, w.decoderB, w.decoderWT);
  if (arch.residual) output = tf.add(output, x);
  return { output, state: next, top: input };
}

export interface WindowLoss {
  loss: tfType.Scalar;
  /** [free_running, teacher_forcing, hidden] as a [3] tensor (one read per window). */
  terms: Tensor1D;
  /** State after the teacher-forced pass: carried to the next window. */
  state: ModelState;
}

/**
 * The reference's three-term loss for one window (section 3). The free-running and the
 * teacher-forced pass both start from `state`; they are independent, so they run as one
 * batch of 2B lanes (free-running lanes first): half the op dispatches of two passes.
 *
 * @param inputs L input rows, each [B, C]
 * @param targets [L, 2B, C]: each step's targets twice (for both lane groups)
 * @param masks per step, dropout masks for 2B lanes (training) or undefined (eval)
 */
export function windowLoss(
  tf: Tf,
  arch: Architecture,
  w: ModelWeights,
  inputs: Tensor2D[],
  targets: tfType.Tensor3D,
  state: ModelState,
  masks: StepMasks[] | undefined,
  detach: (x: Tensor) => Tensor,
): WindowLoss {
  const B = inputs[0]!.shape[0];
  let s: ModelState = state.map((layer) => layer.map((t) => tf.concat([t, t], 0) as Tensor2D));
  const outputs: Tensor2D[] = [];
  const tops: Tensor2D[] = [];
  let freeRunning = inputs[0]!;
  for (let t = 0; t < inputs.length; t++) {
    const x = tf.concat([freeRunning, inputs[t]!], 0) as Tensor2D;
    const step = modelStep(tf, arch, w, x, s, masks?.[t]);
    s = step.state;
    outputs.push(step.output);
    tops.push(step.top);
    if (t + 1 < inputs.length) freeRunning = tf.slice(step.output, [0, 0], [B, -1]);
  }
  const L = inputs.length;
  // Both lanes' squared errors at once: [L, 2, B, C] -> mean over steps and lanes' rows.
  // concat + reshape rather than stack: stack's gradient (a rank-3 unstack) is slow on wasm.
  // Means one axis at a time (features, lanes, steps): a float32 sum over all L*B*C
  // elements at once drifts by ~1e-5 relative from PyTorch's (pairwise) sum.
  const meanOfRows = (x: Tensor) => tf.mean(tf.mean(tf.mean(x, 3), 2), 0);
  const errors = tf.reshape(tf.squaredDifference(tf.reshape(tf.concat(outputs), targets.shape), targets), [L, 2, B, -1]);
  const l12 = meanOfRows(errors);
  const [h1, h2] = tf.split(tf.reshape(tf.concat(tops), [L, 2, B, -1]), 2, 1);
  const l3 = meanOfRows(tf.squaredDifference(h1!, detach(h2!)));
  const terms = tf.concat([l12, l3]) as Tensor1D;
  const loss = tf.sum(terms) as tfType.Scalar;
  const carried = s.map((layer) => layer.map((t) => tf.slice(t, [B, 0], [B, -1]) as Tensor2D));
  return { loss, terms, state: carried };
}
