// rng: torch at the start of training: the original's draws before its first window
// (1_train_predictor.py: torch.manual_seed, then the data's augmentation noise, train split
// then test split, then the model's initial weights), so that the dropout masks of the
// first window start where the original's do.
import type { Random, TrainData } from '@anomalab/core';
import type { RnnNetwork } from './network.ts';
import { torchInitialDraws, torchInitialParameters } from './torch-init.ts';
import { randnDraws, TorchGenerator } from './torch-random.ts';

/** The reference-mode noise of each augmented split from PyTorch's draws (noise_mode: fresh keeps anomalab's). */
type NormalSource = Pick<Random, 'normal'>;

export interface TorchNoise {
  train?: NormalSource;
  validation?: NormalSource;
}

/**
 * Replays the original's draws up to its first training window from `net.seed`: the noise
 * `torch.randn(rows, C)` of the train and (when there is one) validation split, taken as
 * the reference-mode noise or passed over with `noise_mode: fresh`; then the initial
 * weights, which replace the placeholder while `net.torchInitPending` (otherwise passed
 * over: the weights came from a state). The mask stream starts there unless a state
 * restored it. Returns the noise for `augment`.
 */
export function startTorchStream(net: RnnNetwork, data: TrainData): TorchNoise {
  const g = new TorchGenerator(net.seed);
  const noiseOf = (rows: number): NormalSource | undefined => {
    const count = rows * data.train.channels;
    if (count < 16) throw new Error(`rnn: rng: torch needs at least 16 values in each split (PyTorch draws fewer through another path), got ${rows} row(s) x ${data.train.channels} channel(s); use rng: counter`);
    if (net.options.noise_mode !== 'reference') {
      g.skip(randnDraws(count));
      return undefined;
    }
    return sequence(g.randn(count));
  };
  const noise: TorchNoise = { train: noiseOf(data.train.rows) };
  if (data.validation && data.validation.rows > 0) noise.validation = noiseOf(data.validation.rows);
  if (net.torchInitPending) {
    net.setParams(net.tf.tensor1d(torchInitialParameters(net.arch, g)));
    net.torchInitPending = false;
  } else {
    g.skip(torchInitialDraws(net.arch));
  }
  if (!net.torchState) {
    if (net.adam.step !== 0) throw new Error(`rnn: rng: torch cannot continue at Adam step ${net.adam.step} without the generator state (the checkpoint has none)`);
    net.torchState = g.state();
  }
  return noise;
}

/** normal() returns `values` in order (augment's one reference-mode draw). */
function sequence(values: Float32Array): NormalSource {
  let next = 0;
  return {
    normal: () => {
      if (next >= values.length) throw new Error('rnn: the reference-mode noise is used up (a bug: augment draws at most one value per element of the split)');
      return values[next++]!;
    },
  };
}
