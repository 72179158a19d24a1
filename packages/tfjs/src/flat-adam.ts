import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './runtime.ts';

type Tensor1D = tfType.Tensor1D;

export interface AdamSettings {
  lr: number;
  weightDecay: number;
  clip: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Classic Adam (PyTorch's `optim.Adam`) on the flat parameter vector, preceded by the
 * reference's `clip_grad_norm_`: the raw gradient is rescaled to a global norm of at most
 * `clip`, then the L2 term `weightDecay * p` is added (inside the optimizer step, as
 * PyTorch does, so it is not clipped), then the bias-corrected Adam update.
 */
export class FlatAdam {
  step = 0;
  m: Tensor1D;
  v: Tensor1D;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(
    private readonly tf: Tf,
    size: number,
    private readonly settings: AdamSettings,
  ) {
    this.m = tf.zeros([size]);
    this.v = tf.zeros([size]);
    this.beta1 = settings.beta1 ?? 0.9;
    this.beta2 = settings.beta2 ?? 0.999;
    this.epsilon = settings.epsilon ?? 1e-8;
  }

  /** Returns the updated parameters; `params` and `grad` stay owned by the caller. */
  update(params: Tensor1D, grad: Tensor1D): Tensor1D {
    const tf = this.tf;
    const { lr, weightDecay, clip } = this.settings;
    const { beta1, beta2, epsilon } = this;
    this.step += 1;
    const t = this.step;
    const [next, m, v] = tf.tidy(() => {
      const norm = tf.norm(grad);
      // PyTorch: clip_coef = max_norm / (norm + 1e-6), applied only when < 1.
      const coef = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6)));
      let g = tf.mul(grad, coef);
      if (weightDecay > 0) g = tf.add(g, tf.mul(params, weightDecay));
      const m = tf.add(tf.mul(this.m, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), 1 - beta2));
      const stepSize = lr / (1 - beta1 ** t);
      const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), epsilon);
      return [tf.sub(params, tf.mul(tf.div(m, denom), stepSize)), m, v] as Tensor1D[];
    });
    this.m.dispose();
    this.v.dispose();
    this.m = m!;
    this.v = v!;
    return next!;
  }

  /** Replace the moments and step (restoring a checkpoint). */
  load(m: Float32Array, v: Float32Array, step: number): void {
    this.m.dispose();
    this.v.dispose();
    this.m = this.tf.tensor1d(m);
    this.v = this.tf.tensor1d(v);
    this.step = step;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
