import type { Tensor1D, Tf } from './tf-types.ts';

/**
 * Adam on the flat parameter vector, after rescaling the gradient to a global L2 norm of
 * at most `clip` (exploding gradients are the usual failure of LSTMs on long windows).
 */
export class FlatAdam {
  step = 0;
  m: Tensor1D;
  v: Tensor1D;

  constructor(
    private readonly tf: Tf,
    size: number,
    private readonly lr: number,
    private readonly clip: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = tf.zeros([size]);
    this.v = tf.zeros([size]);
  }

  /** The updated parameters; `params` and `grad` stay owned by the caller. */
  update(params: Tensor1D, grad: Tensor1D): Tensor1D {
    const { tf, beta1, beta2, epsilon } = this;
    const t = ++this.step;
    const [next, m, v] = tf.tidy(() => {
      const coef = tf.minimum(1, tf.div(this.clip, tf.add(tf.norm(grad), 1e-6)));
      const g = tf.mul(grad, coef);
      const m = tf.add(tf.mul(this.m, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), 1 - beta2));
      const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), epsilon);
      return [tf.sub(params, tf.mul(tf.div(m, denom), this.lr / (1 - beta1 ** t))), m, v] as Tensor1D[];
    });
    this.m.dispose();
    this.v.dispose();
    this.m = m!;
    this.v = v!;
    return next!;
  }

  /** Replace moments and step (restoring a checkpoint). */
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
