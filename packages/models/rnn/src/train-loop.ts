import type * as tfType from '@tensorflow/tfjs';
import { AnomalabError, LossAverage, SeededRandom, type EpochPlan, type Series, type TrainData } from '@anomalab/core';
import { augment, channelStd } from './augment.ts';
import { batchify, bpttWindows, type BpttWindow } from './batchify.ts';
import { maskWidths, nextWindowMaskValues, windowMasks } from './dropout.ts';
import { startTorchStream, type TorchNoise } from './torch-training.ts';
import { batchLine, epochLine } from './format-log.ts';
import type { RnnNetwork } from './network.ts';
import { disposeTransposed, transposedWeights, weightViews, windowLoss, withTransposed, zeroState, type ModelState } from './rnn-model.ts';

type Tensor2D = tfType.Tensor2D;
type Tensor3D = tfType.Tensor3D;

/** Log a batch line every this many windows, as the reference's default log_interval. */
const LOG_INTERVAL = 10;
export const TERM_NAMES = ['free_running', 'teacher_forcing', 'hidden'] as const;

/** A batchified series, [steps, B, C] time-major, kept in JS memory. */
export interface Batched {
  data: Float32Array;
  lanes: number;
  channels: number;
  steps: number;
  windows: BpttWindow[];
}

export function upload(net: RnnNetwork, series: Series, lanes: number, what: string): Batched {
  const { data, steps } = batchify(series.values, series.rows, series.channels, lanes);
  if (steps < 2) throw new Error(`rnn: the augmented ${what} series (${series.rows} rows) is too short for batch_size ${lanes}: raise augment_length or lower batch_size`);
  return { data, lanes, channels: series.channels, steps, windows: bpttWindows(steps, net.options.bptt) };
}

/**
 * Input rows (one [B, C] tensor per step) and targets [L, 2B, C] of a window (the targets
 * twice per step: free-running lanes, then teacher-forced lanes). Built straight from JS
 * memory: on wasm, slicing a big tensor costs as much as copying all of it.
 */
export function windowTensors(net: RnnNetwork, batched: Batched, window: BpttWindow): { inputs: Tensor2D[]; targets: Tensor3D; dispose(): void } {
  const tf = net.tf;
  const { start, length } = window;
  const { lanes: B, channels: C, data } = batched;
  const row = B * C;
  const inputs = Array.from({ length }, (_, t) => tf.tensor2d(data.subarray((start + t) * row, (start + t + 1) * row), [B, C]));
  const doubled = new Float32Array(length * 2 * row);
  for (let t = 0; t < length; t++) {
    const target = data.subarray((start + t + 1) * row, (start + t + 2) * row);
    doubled.set(target, 2 * t * row);
    doubled.set(target, (2 * t + 1) * row);
  }
  const targets = tf.tensor3d(doubled, [length, 2 * B, C]);
  return { inputs, targets, dispose: () => tf.dispose([targets, ...inputs]) };
}

function disposeState(net: RnnNetwork, state: ModelState): void {
  net.tf.dispose(state.flat());
}

/**
 * One training window: forward both lanes, backprop through the window only (the incoming
 * state is a constant: truncated BPTT), clip + Adam. Returns the loss terms and the new
 * carried state; disposes everything else.
 */
export function trainWindow(net: RnnNetwork, inputs: Tensor2D[], targets: Tensor3D, state: ModelState): { terms: Float32Array; state: ModelState } {
  const result = windowGradient(net, inputs, targets, state);
  net.setParams(net.adam.update(net.params, result.grad));
  result.grad.dispose();
  return { terms: result.terms, state: result.state };
}

/**
 * Loss terms, flat gradient and outgoing state of one window, without the update (the
 * fused engine's equality tests use it as the reference). The caller disposes `grad`.
 */
export function windowGradient(net: RnnNetwork, inputs: Tensor2D[], targets: Tensor3D, state: ModelState): { grad: tfType.Tensor1D; terms: Float32Array; state: ModelState } {
  const tf = net.tf;
  const { arch, options } = net;
  const batchLanes = inputs[0]!.shape[0];
  const masks = options.dropout > 0
    ? windowMasks(tf, nextWindowMaskValues(net, inputs.length, batchLanes), inputs.length, 2 * batchLanes, maskWidths(net))
    : undefined;
  let kept: { terms: tfType.Tensor1D; state: ModelState } | undefined;
  const transposed = transposedWeights(tf, arch, net.params);
  const f = (flat: tfType.Tensor) => {
    const w = withTransposed(weightViews(tf, arch, flat as tfType.Tensor1D), transposed);
    const r = windowLoss(tf, arch, w, inputs, targets, state, masks?.perStep, net.detach);
    kept = { terms: tf.keep(r.terms), state: r.state.map((layer) => layer.map((t) => tf.keep(t))) };
    return r.loss;
  };
  const { value, grads } = tf.valueAndGrads(f)([net.params]);
  const terms = kept!.terms.dataSync() as Float32Array;
  tf.dispose([value, kept!.terms]);
  masks?.dispose();
  disposeTransposed(tf, transposed);
  return { grad: grads[0] as tfType.Tensor1D, terms, state: kept!.state };
}

/** Validation (eval mode: no dropout, no gradients), averaged over windows. */
function validate(net: RnnNetwork, batched: Batched): Record<string, number> {
  const tf = net.tf;
  const average = new LossAverage(TERM_NAMES);
  let state = zeroState(tf, net.arch, net.options.batch_size);
  for (const window of batched.windows) {
    const { inputs, targets, dispose } = windowTensors(net, batched, window);
    let next: ModelState = [];
    const terms = tf.tidy(() => {
      const w = weightViews(tf, net.arch, net.params);
      const r = windowLoss(tf, net.arch, w, inputs, targets, state, undefined, net.detach);
      next = r.state.map((layer) => layer.map((t) => tf.keep(t)));
      return r.terms;
    });
    average.add(terms.dataSync());
    terms.dispose();
    dispose();
    disposeState(net, state);
    state = next;
  }
  disposeState(net, state);
  return average.report();
}

/**
 * The noise-augmented train and validation series, batchified into lanes. Both engines
 * use this, so they train on identical data. Fixed fork labels: the augmented series are
 * the same on every (resumed) call.
 */
export function prepareTrainingData(net: RnnNetwork, data: TrainData): { train: Batched; validation?: Batched } {
  const { options } = net;
  if (net.adam.step > 0 && net.stateRng && net.stateRng !== options.rng)
    throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `rnn: the checkpoint continues the rng: ${net.stateRng} stream at step ${net.adam.step}, the model is configured with rng: ${options.rng}; train it with rng: ${net.stateRng}`);
  const std = channelStd(data.train);
  const random = new SeededRandom(net.seed);
  // rng: torch replays the original's draws before training (its noise, then the initial weights).
  const torch: TorchNoise = options.rng === 'torch' ? startTorchStream(net, data) : {};
  const train = upload(net, augment(data.train, std, options.noise, options.augment_length, torch.train ?? random.fork('rnn/augment/train'), options.noise_mode), options.batch_size, 'train');
  const validation = data.validation && data.validation.rows > 0
    ? upload(net, augment(data.validation, std, options.noise, options.augment_length, torch.validation ?? random.fork('rnn/augment/validation'), options.noise_mode), options.batch_size, 'validation')
    : undefined;
  return { train, validation };
}

/**
 * What both engines share of the training plan: the loss terms, the reference's batch and
 * epoch lines. The core's `runEpochs` runs the loop.
 */
export function rnnPlanBase(net: RnnNetwork, train: Batched): Pick<EpochPlan<BpttWindow>, 'terms' | 'stepLog' | 'epochLine'> {
  const batches = Math.floor(train.steps / net.options.bptt);
  return {
    terms: TERM_NAMES,
    stepLog: { every: LOG_INTERVAL, line: (epoch, batch, msPerBatch, loss) => batchLine(epoch, batch, batches, msPerBatch, loss) },
    epochLine: ({ epoch, durationMs, train: trainReport, validation }) =>
      validation ? epochLine(epoch, durationMs / 1000, validation.loss!) : epochLine(epoch, durationMs / 1000, trainReport.loss!, 'train'),
  };
}

/**
 * The reference's training procedure (sections 1-3) on tfjs: augment train (and
 * validation) once, batchify, then per epoch walk the BPTT windows with the hidden state
 * carried (detached) and reset to zeros at the start of each epoch; validation after each
 * epoch.
 */
export function tfjsTrainingPlan(net: RnnNetwork, data: TrainData): EpochPlan<BpttWindow> {
  const { train, validation } = prepareTrainingData(net, data);
  let state: ModelState = [];
  return {
    ...rnnPlanBase(net, train),
    steps: () => {
      state = zeroState(net.tf, net.arch, net.options.batch_size);
      return train.windows;
    },
    trainStep: (window) => {
      const { inputs, targets, dispose } = windowTensors(net, train, window);
      const result = trainWindow(net, inputs, targets, state);
      dispose();
      disposeState(net, state);
      state = result.state;
      return result.terms;
    },
    endEpoch: () => disposeState(net, state),
    validate: () => (validation ? validate(net, validation) : undefined),
  };
}
