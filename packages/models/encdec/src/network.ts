import { SeededRandom } from '@anomalab/core';
import type * as tfType from '@tensorflow/tfjs';
import { FlatNetwork } from '@anomalab/tfjs';
import type { EncDecOptions } from './config.ts';
import { dense, lstmStep, type LstmState } from '@anomalab/tfjs';
import { encdecParameters, transposed, weightViews, type Architecture, type Weights } from './parameters.ts';
import type { Tensor1D, Tensor2D, Tf } from './tf-types.ts';

/**
 * EncDec-AD's forward pass over a batch of windows. The encoder LSTM reads rows 0..L-1;
 * its final (h, c) is the decoder's initial state. The decoder emits x'_{L-1} from that
 * state, then for p = L-1 .. 1 steps on an input row (the true x_p when teacher-forced,
 * during training; its own x'_p otherwise, at inference) and emits x'_{p-1}: the window is
 * reconstructed in reverse order.
 *
 * @param steps L input rows, each [B, C]
 * @param teacherForced per decoder input row p (L-1..1): feed the true row (else the output)
 * @returns the L reconstructions, each [B, C], in decoder order (x'_{L-1} first)
 */
export function encodeDecode(tf: Tf, w: Weights, steps: Tensor2D[], teacherForced: boolean | ((p: number) => boolean)): Tensor2D[] {
  const truthAt = typeof teacherForced === 'function' ? teacherForced : () => teacherForced;
  const B = steps[0]!.shape[0];
  const H = w.outputW.shape[0];
  let state: LstmState = { h: tf.zeros([B, H]), c: tf.zeros([B, H]) };
  for (const x of steps) state = lstmStep(tf, w.encoderW, w.encoderB, w.encoderWT, x, state);
  let out = dense(tf, state.h, w.outputW, w.outputB, w.outputWT);
  const outputs = [out];
  for (let p = steps.length - 1; p >= 1; p--) {
    state = lstmStep(tf, w.decoderW, w.decoderB, w.decoderWT, truthAt(p) ? steps[p]! : out, state);
    out = dense(tf, state.h, w.outputW, w.outputB, w.outputWT);
    outputs.push(out);
  }
  return outputs;
}

/** Mean squared reconstruction error of a batch (outputs in decoder order vs. the reversed rows). */
export function reconstructionLoss(tf: Tf, outputs: Tensor2D[], steps: Tensor2D[]): tfType.Scalar {
  return tf.mean(tf.squaredDifference(tf.concat(outputs), tf.concat([...steps].reverse()))) as tfType.Scalar;
}

/**
 * The numeric state of one predictor: flat parameters and Adam moments as tfjs tensors, and
 * the seed (initialisation and the per-epoch window order derive from it).
 */
export class EncDecNetwork extends FlatNetwork {
  readonly arch: Architecture;

  constructor(
    tf: Tf,
    backend: string,
    readonly options: EncDecOptions,
    channels: number,
    seed: number,
  ) {
    const arch = { channels, hidden: options.hidden };
    const layout = encdecParameters(arch);
    super(tf, backend, layout, layout.initialParameters(new SeededRandom(seed).fork('encdec/init')), { lr: options.lr, weightDecay: 0, clip: options.clip }, seed);
    this.arch = arch;
  }

  /**
   * One Adam step on a batch; returns its loss. The decoder is fed the true rows with
   * probability `teacher_forcing` per step (1: always, the paper), else its own output;
   * the draws are keyed by (seed, Adam step), so a resumed run makes the same ones.
   */
  trainBatch(rows: Float32Array[]): number {
    const { tf, arch } = this;
    const ratio = this.options.teacher_forcing;
    const random = new SeededRandom(this.seed).fork(`encdec/teacher/${this.adam.step}`);
    const truth = rows.map(() => ratio >= 1 || (ratio > 0 && random.uniform() < ratio));
    const C = arch.channels;
    const steps = rows.map((r) => tf.tensor2d(r, [r.length / C, C]));
    const wT = transposed(tf, arch, this.params);
    const { value, grads } = tf.valueAndGrads((flat: tfType.Tensor) => {
      const w = { ...weightViews(tf, arch, flat as Tensor1D), ...wT };
      return reconstructionLoss(tf, encodeDecode(tf, w, steps, (p) => truth[p]!), steps);
    })([this.params]);
    this.setParams(this.adam.update(this.params, grads[0] as Tensor1D));
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...grads, ...steps, wT.encoderWT!, wT.decoderWT!, wT.outputWT!]);
    return loss;
  }

  /** Free-running reconstruction of a batch: `[L, B, C]` in decoder order (see encodeDecode). */
  reconstruct(rows: Float32Array[]): Float32Array {
    const { tf, arch } = this;
    const C = arch.channels;
    const out = tf.tidy(() => {
      const steps = rows.map((r) => tf.tensor2d(r, [r.length / C, C]));
      return tf.concat(encodeDecode(tf, weightViews(tf, arch, this.params), steps, false));
    });
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values;
  }
}
