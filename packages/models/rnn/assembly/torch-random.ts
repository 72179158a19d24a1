// rng: torch dropout masks: PyTorch's CPU generator (mt19937) drawn as the original's
// train() draws its masks, the same numbers as TorchGenerator.windowMasks in
// ../src/torch-random.ts (the JS side keeps the generator between windows through
// torchStatePtr). Each element takes two 32-bit outputs: kept when
// ((hi << 32 | lo) & (2^53 - 1)) < (1 - rate) * 2^53.
import { alloc, fp, st } from './memory';
import { Dims, Lanes, Win } from './layout';

const N = 624;
const M = 397;
const UPPER: u32 = 0x80000000;
const LOWER: u32 = 0x7fffffff;
const MATRIX: u32 = 0x9908b0df;

/** The generator: [read position, mt[0..623]] as u32 (TORCH_STATE_WORDS in ../src/torch-random.ts). */
export class TorchStream {
  static state: usize = 0;
  /** Draw the training windows' masks from this generator (rng: torch) instead of mulberry32 (rng: counter). */
  static on: bool = false;
}

export function torchStreamAllocate(): void {
  TorchStream.state = alloc((N + 1) << 2);
}

@inline function mtAt(k: i32): usize {
  return TorchStream.state + 4 + (<usize>k << 2);
}

@inline function twistOne(k: i32, next: i32, far: i32): void {
  const y = (load<u32>(mtAt(k)) & UPPER) | (load<u32>(mtAt(next)) & LOWER);
  store<u32>(mtAt(k), load<u32>(mtAt(far)) ^ (y >>> 1) ^ ((y & 1) * MATRIX));
}

/** mt19937's refill of all 624 words, 4 at a time where the words read are all old (or all new). */
function twist(): void {
  const upper = i32x4.splat(<i32>UPPER);
  const lower = i32x4.splat(<i32>LOWER);
  const one = i32x4.splat(1);
  const matrix = i32x4.splat(<i32>MATRIX);
  let k = 0;
  for (; k < N - M - 3; k += 4) twist4(k, k + M, upper, lower, one, matrix);
  for (; k < N - M; k++) twistOne(k, k + 1, k + M);
  for (; k + 4 < N; k += 4) twist4(k, k + M - N, upper, lower, one, matrix);
  for (; k < N - 1; k++) twistOne(k, k + 1, k + M - N);
  twistOne(N - 1, 0, M - 1);
  store<u32>(TorchStream.state, 0);
}

@inline function twist4(k: i32, far: i32, upper: v128, lower: v128, one: v128, matrix: v128): void {
  const y = v128.or(v128.and(v128.load(mtAt(k)), upper), v128.and(v128.load(mtAt(k + 1)), lower));
  const odd = i32x4.eq(v128.and(y, one), one);
  v128.store(mtAt(k), v128.xor(v128.xor(v128.load(mtAt(far)), i32x4.shr_u(y, 1)), v128.and(odd, matrix)));
}

@inline function temper(word: u32): u32 {
  let y = word;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  return y ^ (y >>> 18);
}

@inline function temper4(words: v128): v128 {
  let y = words;
  y = v128.xor(y, i32x4.shr_u(y, 11));
  y = v128.xor(y, v128.and(i32x4.shl(y, 7), i32x4.splat(<i32>0x9d2c5680)));
  y = v128.xor(y, v128.and(i32x4.shl(y, 15), i32x4.splat(<i32>0xefc60000)));
  return v128.xor(y, i32x4.shr_u(y, 18));
}

@inline function nextU32(): u32 {
  let index = <i32>load<u32>(TorchStream.state);
  if (index >= N) {
    twist();
    index = 0;
  }
  store<u32>(TorchStream.state, <u32>(index + 1));
  return temper(load<u32>(mtAt(index)));
}

/** Pass over `count` outputs. */
function skip(count: i32): void {
  let left = count;
  while (left > 0) {
    let index = <i32>load<u32>(TorchStream.state);
    if (index >= N) {
      twist();
      index = 0;
    }
    const take = left < N - index ? left : N - index;
    store<u32>(TorchStream.state, <u32>(index + take));
    left -= take;
  }
}

/**
 * The mask values of the 4 elements in the 8 words a, b (hi, lo, hi, lo, ...). Tempering is
 * per word, so the high words are gathered first and tempered alone; the low word decides
 * only when the high bits equal the threshold's (p = 2^-21 per element). Both sides of the
 * high compare are below 2^22, so a signed compare is exact.
 */
@inline function group4(a: v128, b: v128, hiMask: v128, tHi: v128, tLo: v128, keepV: v128): v128 {
  const hi = v128.and(temper4(i8x16.shuffle(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27)), hiMask);
  let kept = i32x4.lt_s(hi, tHi);
  const tie = i32x4.eq(hi, tHi);
  if (v128.any_true(tie)) {
    const lo = temper4(i8x16.shuffle(a, b, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31));
    kept = v128.or(kept, v128.and(tie, i32x4.lt_u(lo, tLo)));
  }
  return v128.and(kept, keepV);
}

/**
 * `count` mask values into dst (one element per two outputs): 8 and then 4 elements at a
 * time while their words lie in the current block (two groups per step: independent chains
 * the CPU overlaps), one at a time across a refill.
 */
function drawRun(dst: usize, count: i32, thrHi: u32, thrLo: u32, keep: f32): void {
  const hiMask = i32x4.splat(0x1fffff);
  const tHi = i32x4.splat(<i32>thrHi);
  const tLo = i32x4.splat(<i32>thrLo);
  const keepV = f32x4.splat(keep);
  let i = 0;
  while (i < count) {
    let index = <i32>load<u32>(TorchStream.state);
    if (index >= N) {
      twist();
      index = 0;
    }
    for (; i + 8 <= count && index + 16 <= N; i += 8, index += 16) {
      const first = group4(v128.load(mtAt(index)), v128.load(mtAt(index + 4)), hiMask, tHi, tLo, keepV);
      const second = group4(v128.load(mtAt(index + 8)), v128.load(mtAt(index + 12)), hiMask, tHi, tLo, keepV);
      v128.store(fp(dst, i), first);
      v128.store(fp(dst, i + 4), second);
    }
    for (; i + 4 <= count && index + 8 <= N; i += 4, index += 8) {
      v128.store(fp(dst, i), group4(v128.load(mtAt(index)), v128.load(mtAt(index + 4)), hiMask, tHi, tLo, keepV));
    }
    store<u32>(TorchStream.state, <u32>index);
    if (i < count) {
      // The group loops stopped short: the last elements of the run, or one whose words
      // straddle a refill.
      const hi = nextU32() & 0x1fffff;
      const lo = nextU32();
      st(dst, i, hi < thrHi || (hi == thrHi && lo < thrLo) ? keep : <f32>0);
      i++;
    }
  }
}

/**
 * The masks of a window of L steps into Win.masks ([L, sites, P, width]) in the original's
 * order: per step the free-running lanes of every site, then per site the teacher-forced
 * lanes of every step. With a lane split (two threads) every instance draws the whole
 * batch's stream and keeps its own lanes, so both stay at the same position.
 */
export function drawTorchMasks(L: i32, rate: f64): void {
  const p = 1.0 - rate;
  // x < p * 2^53 (exact: a power-of-two scaling) <=> x < ceil(p * 2^53) for an integer x.
  const threshold = Math.ceil(p * 9007199254740992.0);
  const thrHi = <u32>Math.floor(threshold / 4294967296.0);
  const thrLo = <u32>(threshold - <f64>thrHi * 4294967296.0);
  const keep = <f32>(<f32>1.0 / <f32>p);
  const P = Lanes.P;
  const B = Lanes.B;
  const BT = Lanes.total;
  const LANE0 = Lanes.offset;
  const width = Win.maskWidth;
  const sites = Dims.layers + 1;
  for (let pass = 0; pass < 2; pass++) {
    // pass 0: free-running, step-major; pass 1: teacher-forced, site-major.
    const outer = pass == 0 ? L : sites;
    const inner = pass == 0 ? sites : L;
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < inner; b++) {
        const t = pass == 0 ? a : b;
        const site = pass == 0 ? b : a;
        const w = site == 0 ? Dims.E : Dims.H;
        const rows = fp(Win.masks, t * P * width + (site == 0 ? 0 : P * Dims.E + (site - 1) * P * Dims.H) + (pass == 0 ? 0 : B) * w);
        if (LANE0 > 0) skip(2 * LANE0 * w);
        drawRun(rows, B * w, thrHi, thrLo, keep);
        const after = BT - LANE0 - B;
        if (after > 0) skip(2 * after * w);
      }
    }
  }
}
