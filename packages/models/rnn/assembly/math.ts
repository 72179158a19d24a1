// SIMD math: f32x4 exp / sigmoid / tanh (and their one-lane forms for loop tails, the
// same operations so a tail element gets the same bits as a vector lane) and in-place
// activations over a buffer.
import { fp, ld, st } from './memory';

// Cephes-style expf. Notes for speed on x64: pmin/pmax map to single minps/maxps (wasm's
// min/max need NaN fix-ups), and the rounding + float->int conversion use the 1.5 * 2^23
// "magic number" (x + magic rounds to an integer held in the low mantissa bits).
@inline export function vexp(x0: v128): v128 {
  const x1 = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const magic = f32x4.splat(12582912.0);
  const tm = f32x4.add(f32x4.mul(x1, f32x4.splat(1.44269504088896341)), magic);
  const fx = f32x4.sub(tm, magic);
  let x = f32x4.sub(x1, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1.0));
  // bits(tm) = 0x4B400000 + n  ->  2^n = (n + 127) << 23
  const pow2 = i32x4.shl(i32x4.add(tm, i32x4.splat(127 - 0x4b400000)), 23);
  return f32x4.mul(y, pow2);
}

@inline export function vsigmoid(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

@inline export function vtanh(x: v128): v128 {
  // tanh(|x|) = 1 - 2 / (exp(2|x|) + 1), sign restored; |x| clamped (tanh(9) == 1 in f32).
  const a = f32x4.pmin(f32x4.abs(x), f32x4.splat(9.0));
  const e = vexp(f32x4.add(a, a));
  const t = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const signBit = v128.and(x, i32x4.splat(0x80000000));
  return v128.or(t, signBit);
}

@inline export function stanh(x: f32): f32 {
  return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0);
}
@inline export function ssigmoid(x: f32): f32 {
  return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0);
}

export function sigmoidInPlace(ptr: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(fp(ptr, i), vsigmoid(v128.load(fp(ptr, i))));
  for (; i < n; i++) st(ptr, i, ssigmoid(ld(ptr, i)));
}
export function tanhInPlace(ptr: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(fp(ptr, i), vtanh(v128.load(fp(ptr, i))));
  for (; i < n; i++) st(ptr, i, stanh(ld(ptr, i)));
}
export function reluInPlace(ptr: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(fp(ptr, i), f32x4.pmax(v128.load(fp(ptr, i)), zero));
  for (; i < n; i++) {
    const v = ld(ptr, i);
    st(ptr, i, v > 0 ? v : 0);
  }
}

/** Sum of the four lanes, in lane order. */
@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}
