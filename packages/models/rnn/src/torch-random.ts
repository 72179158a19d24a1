// PyTorch's CPU random generator and the draws the original makes from it, so that
// `rng: torch` gives a run the initial weights, augmentation noise and dropout masks of
// the original's `--seed S` (PyTorch 1.13, CPU; checked against it in torch-random.test.ts).
// Browser-safe: no Node APIs.

/** Words of a saved generator state: the read position, then mt19937's 624 words. */
export const TORCH_STATE_WORDS = 625;

const N = 624;
const M = 397;

/**
 * mt19937 as `torch.manual_seed(seed)` sets it up (at::mt19937: the standard 32-bit
 * initialisation from the seed's low 32 bits), with the conversions of ATen's
 * DistributionTemplates: a float32 uniform takes one 32-bit draw (its low 24 bits), a
 * double uniform (Bernoulli) two (high word first, low 53 bits).
 */
export class TorchGenerator {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** A generator at a saved state (`state()`). */
  static fromState(words: ArrayLike<number>): TorchGenerator {
    if (words.length !== TORCH_STATE_WORDS) throw new Error(`torch generator: a state has ${TORCH_STATE_WORDS} words, got ${words.length}`);
    const g = new TorchGenerator(0);
    g.restore(words);
    return g;
  }

  /** The state: [read position, mt[0..623]]; `restore` (or the fused kernel) continues from it. */
  state(): Uint32Array {
    const out = new Uint32Array(TORCH_STATE_WORDS);
    out[0] = this.index;
    out.set(this.mt, 1);
    return out;
  }

  restore(words: ArrayLike<number>): void {
    const index = words[0]!;
    if (!(index >= 0 && index <= N)) throw new Error(`torch generator: read position ${index} outside [0, ${N}]`);
    this.index = index;
    for (let i = 0; i < N; i++) this.mt[i] = words[i + 1]! >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** The next 32-bit output (PyTorch's `generator->random()`). */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Pass over `count` outputs (the draws of a step this run makes differently or not at all). */
  skip(count: number): void {
    let left = count;
    while (left > 0) {
      if (this.index >= N) this.twist();
      const take = Math.min(left, N - this.index);
      this.index += take;
      left -= take;
    }
  }

  /** `tensor.uniform_(from, to)` of a float32 tensor: one draw per element, in memory order. */
  uniform(out: Float32Array, from: number, to: number): Float32Array {
    // ATen: x = (random() & (2^24 - 1)) * 2^-24 in double, x * (to - from) + from, bounds as float.
    const lo = Math.fround(from);
    const span = Math.fround(to) - lo;
    for (let i = 0; i < out.length; i++) out[i] = ((this.nextUint32() & 0xffffff) / 16777216) * span + lo;
    return out;
  }

  /** `torch.randn(n)` (float32, n >= 16): `randnDraws(n)` draws. */
  randn(n: number): Float32Array {
    if (n < 16) throw new Error(`torch generator: randn of ${n} values (< 16) takes PyTorch's serial path, which this port does not draw`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (this.nextUint32() & 0xffffff) / 16777216;
    for (let i = 0; i + 16 <= n; i += 16) boxMuller16(data, i);
    if (n % 16 !== 0) {
      // PyTorch redraws the last 16 values and transforms them again.
      const last = n - 16;
      for (let i = 0; i < 16; i++) data[last + i] = (this.nextUint32() & 0xffffff) / 16777216;
      boxMuller16(data, last);
    }
    return data;
  }

  /**
   * One dropout window's masks as the original draws them (`bernoulli_(1 - rate)` then
   * `div_(1 - rate)` at each site of each forward call) into anomalab's layout
   * [L, sites, 2B lanes, width] (free-running lanes, then teacher-forced; sites: encoder
   * output E, then each layer's output H). The original's train() runs the free-running
   * pass as one call per step, then the teacher-forced pass as one call: so the draws go
   * step by step for the free-running lanes, then site by site over the whole window for
   * the teacher-forced ones. Each element takes two draws.
   */
  windowMasks(rate: number, steps: number, lanes: number, widths: readonly number[], out = new Float32Array(steps * 2 * lanes * sumOf(widths))): Float32Array {
    const keepProbability = 1 - rate;
    // x = (hi << 32 | lo) & (2^53 - 1), kept when x * 2^-53 < p, i.e. x < p * 2^53 (exact).
    const threshold = keepProbability * 9007199254740992;
    const keep = Math.fround(1 / Math.fround(keepProbability));
    const stepSize = 2 * lanes * sumOf(widths);
    const siteOffset = widths.map((_, s) => 2 * lanes * sumOf(widths.slice(0, s)));
    const draw = (at: number, count: number) => {
      for (let j = 0; j < count; j++) {
        const hi = this.nextUint32() & 0x1fffff;
        const lo = this.nextUint32();
        out[at + j] = hi * 4294967296 + lo < threshold ? keep : 0;
      }
    };
    for (let t = 0; t < steps; t++) for (const [s, w] of widths.entries()) draw(t * stepSize + siteOffset[s]!, lanes * w);
    for (const [s, w] of widths.entries()) for (let t = 0; t < steps; t++) draw(t * stepSize + siteOffset[s]! + lanes * w, lanes * w);
    return out;
  }
}

/** Generator outputs `torch.randn(n)` takes (n >= 16). */
export function randnDraws(n: number): number {
  return n + (n % 16 === 0 ? 0 : 16);
}

/** Outputs one dropout window takes (`windowMasks`). */
export function windowMaskDraws(steps: number, lanes: number, widths: readonly number[]): number {
  return 2 * 2 * steps * lanes * sumOf(widths);
}

function sumOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

const f = Math.fround;
const TWO_PI = f(2 * Math.PI);

/**
 * PyTorch's normal_fill_16: Box-Muller on 16 uniforms, the first 8 as u1 (via 1 - u), the
 * next 8 as u2. In float32 steps; PyTorch's AVX2 build uses polynomial float32 log / sin /
 * cos (avx_mathfun), so a value may differ from it in the last bits (within 4e-7; see the
 * test).
 */
function boxMuller16(data: Float32Array, at: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[at + j]!);
    const u2 = data[at + j + 8]!;
    const radius = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    const theta = f(TWO_PI * u2);
    data[at + j] = f(radius * f(Math.cos(theta)));
    data[at + j + 8] = f(radius * f(Math.sin(theta)));
  }
}
