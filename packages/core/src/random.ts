import type { Random } from './contracts/services.ts';

/**
 * The one seeded random source of the framework. Two generators, both derived from a run's
 * seed and named keys, so every draw of a run is reproducible and a checkpoint restores it:
 * - `SeededRandom` (xoshiro128**): sequential draws (initial weights, augmentation noise,
 *   window orders), forked by label.
 * - `uniformStream(mixSeed(seed, counter))` (mulberry32): a stream keyed by counters, for
 *   draws made per training step (dropout masks) whose state is then just the counter.
 *   The fused WebAssembly kernel of @anomalab/model-rnn draws the same mulberry32 stream
 *   in SIMD from a key made by `mixSeed` here; it has no generator or seed of its own.
 */

/** One FNV-1a step (32-bit). */
function fnv1a(h: number, value: number): number {
  return Math.imul(h ^ value, 0x01000193);
}
const FNV_OFFSET = 0x811c9dc5;

/** Hash a string to 32 bits (FNV-1a over its UTF-16 code units) to derive stable sub-seeds from labels. */
function hash32(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = fnv1a(h, text.charCodeAt(i));
  return h >>> 0;
}

/** FNV-1a over the bytes of 32-bit words (little-endian): a stream key from (seed, counter, ...). */
export function mixSeed(...words: number[]): number {
  let h = FNV_OFFSET;
  for (const word of words) for (let k = 0; k < 4; k++) h = fnv1a(h, (word >>> (8 * k)) & 0xff);
  return h >>> 0;
}

/**
 * mulberry32: uniform numbers in [0, 1) from a 32-bit key. Tiny and fast (dropout draws
 * hundreds of thousands per window); its state is a counter (key + i * 0x6d2b79f5).
 */
export function uniformStream(key: number): () => number {
  let a = key >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** splitmix32, used only to expand a seed into xoshiro's 128-bit state. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * xoshiro128** generator: fast, small state (saved with checkpoints), good statistics.
 * Same seed -> same sequence on every platform.
 */
export class SeededRandom implements Random {
  private s = new Uint32Array(4);

  constructor(readonly seed: number) {
    const next = splitmix32(seed);
    for (let i = 0; i < 4; i++) this.s[i] = next();
  }

  private nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  uniform(): number {
    // 53-bit resolution from two draws.
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  normal(): number {
    // Box-Muller without caching the spare value, so the state is just the 4 words.
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  fork(label: string): Random {
    return new SeededRandom((hash32(label) ^ Math.imul(this.seed, 0x9e3779b1)) >>> 0);
  }

  getState(): number[] {
    return Array.from(this.s);
  }

  setState(state: number[]): void {
    if (state.length !== 4) throw new Error(`Random state must have 4 words, got ${state.length}`);
    this.s = Uint32Array.from(state);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
