import type * as tfType from '@tensorflow/tfjs';
import type { PredictorStream, PredictorStreamStep } from '@anomalab/core';
import type { RnnNetwork } from './network.ts';
import { modelStep, weightViews, zeroState, type ModelState, type ModelWeights } from './rnn-model.ts';

/** A stream's weights are those at open: after training or setState, open a new stream. */
export const WEIGHTS_CHANGED = 'rnn: the model weights changed (training or setState) since this stream was opened; open a new stream';

/**
 * The tfjs engine's stream: the state of every layer after the last pushed row (batch 1,
 * eval mode, zero at open as in forecastBatched); each push is one teacher-forced step and
 * horizon - 1 free-running steps from a copy of it, i.e. one row of forecastBatched /
 * forecastNaive (./forecast.ts). Owns its weight views and state tensors until `dispose()`.
 */
export function openTfjsStream(net: RnnNetwork, horizon: number): PredictorStream {
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`rnn: forecast horizon must be an integer >= 1, got ${horizon}`);
  return new TfjsForecastStream(net, horizon);
}

class TfjsForecastStream implements PredictorStream {
  private readonly params: tfType.Tensor1D;
  private readonly weights: ModelWeights;
  private state: ModelState;
  private disposed = false;

  constructor(
    private readonly net: RnnNetwork,
    private readonly horizon: number,
  ) {
    const { tf, arch } = net;
    this.params = net.params;
    // tidy keeps the returned tensors (the views) and frees the intermediate slices.
    this.weights = tf.tidy(() => weightViews(tf, arch, net.params) as unknown as tfType.TensorContainer) as unknown as ModelWeights;
    this.state = zeroState(tf, arch, 1);
  }

  push(row: Float32Array): PredictorStreamStep {
    const { tf, arch } = this.net;
    if (this.disposed) throw new Error('rnn: push on a disposed stream');
    if (row.length !== arch.channels) throw new Error(`rnn: a row has ${arch.channels} value(s) (channels), got ${row.length}`);
    if (this.net.params !== this.params) throw new Error(WEIGHTS_CHANGED);
    const { weights, state, horizon } = this;
    const [predictions, ...next] = tf.tidy(() => {
      const first = modelStep(tf, arch, weights, tf.tensor2d(row, [1, arch.channels]), state);
      const steps: tfType.Tensor2D[] = [first.output];
      let input = first.output;
      let s = first.state;
      for (let k = 2; k <= horizon; k++) {
        const step = modelStep(tf, arch, weights, input, s);
        input = step.output;
        s = step.state;
        steps.push(input);
      }
      return [tf.concat(steps), ...first.state.flat()]; // [horizon, C], then the teacher-forced state
    });
    tf.dispose(state.flat());
    const per = next.length / arch.layers;
    this.state = Array.from({ length: arch.layers }, (_, l) => next.slice(l * per, (l + 1) * per) as tfType.Tensor2D[]);
    // A copy the caller owns (dataSync may hand out the backend's own buffer).
    const forecast = new Float32Array(predictions!.dataSync() as Float32Array);
    predictions!.dispose();
    return { forecast };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const w = this.weights;
    const tensors: (tfType.Tensor | undefined)[] = [w.encoderW, w.encoderB, w.decoderW, w.decoderB, ...w.layers.flatMap((l) => [l.w, l.wIh, l.wHh, l.bias, l.bIh, l.bHh])];
    this.net.tf.dispose([...tensors.filter((t): t is tfType.Tensor => Boolean(t)), ...this.state.flat()]);
  }
}
