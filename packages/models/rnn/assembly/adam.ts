// The optimiser step: PyTorch's clip_grad_norm_ (global norm, f64 sum of squares), then
// classic Adam with the L2 term added to the (clipped) gradient, over Params.
import { fp, ld, st } from './memory';
import { Dims, Params } from './layout';

/** One Adam step (`step` = the new Adam step, from 1) on Params.values with Params.grad. */
export function adamStep(lr: f64, weightDecay: f64, clip: f64, beta1: f64, beta2: f64, eps: f64, step: i32): void {
  const n = Dims.count;
  const params = Params.values;
  const grad = Params.grad;
  const adamM = Params.adamM;
  const adamV = Params.adamV;
  let ss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const g = <f64>ld(grad, i);
    ss += g * g;
  }
  const norm = Math.sqrt(ss);
  const coef = <f32>Math.min(1.0, clip / (norm + 1e-6));
  const wd = <f32>weightDecay;
  const b1 = <f32>beta1, b2 = <f32>beta2, ob1 = <f32>(1 - beta1), ob2 = <f32>(1 - beta2);
  const stepSize = <f32>(lr / (1 - Math.pow(beta1, <f64>step)));
  const bc2 = <f32>Math.sqrt(1 - Math.pow(beta2, <f64>step));
  const e = <f32>eps;
  const vcoef = f32x4.splat(coef), vwd = f32x4.splat(wd), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2);
  const vob1 = f32x4.splat(ob1), vob2 = f32x4.splat(ob2), vstep = f32x4.splat(stepSize), vbc2 = f32x4.splat(bc2), veps = f32x4.splat(e);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = v128.load(fp(params, i));
    const g = f32x4.add(f32x4.mul(v128.load(fp(grad, i)), vcoef), f32x4.mul(p, vwd));
    const m = f32x4.add(f32x4.mul(v128.load(fp(adamM, i)), vb1), f32x4.mul(g, vob1));
    const v = f32x4.add(f32x4.mul(v128.load(fp(adamV, i)), vb2), f32x4.mul(f32x4.mul(g, g), vob2));
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), vbc2), veps);
    v128.store(fp(adamM, i), m);
    v128.store(fp(adamV, i), v);
    v128.store(fp(params, i), f32x4.sub(p, f32x4.mul(f32x4.div(m, denom), vstep)));
  }
  for (; i < n; i++) {
    const p = ld(params, i);
    const g = ld(grad, i) * coef + p * wd;
    const m = ld(adamM, i) * b1 + g * ob1;
    const v = ld(adamV, i) * b2 + g * g * ob2;
    const denom = Mathf.sqrt(v) / bc2 + e;
    st(adamM, i, m);
    st(adamV, i, v);
    st(params, i, p - (m / denom) * stepSize);
  }
}
