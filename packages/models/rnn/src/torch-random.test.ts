import { describe, expect, it } from 'vitest';
import { randnDraws, TorchGenerator, windowMaskDraws } from './torch-random.ts';

// Expected values from Debian's python3-torch 1.13.1 (CPU), by:
//   torch.manual_seed(1111); u = torch.empty(700).uniform_(-b, b)  (b = 1 / sqrt(32))
//   n = torch.randn(37)
//   then F.dropout(torch.ones(...), 0.2, training=True) in the original's order for a window of
//   L = 3 steps, B = 2 lanes, sites E = 3, H = 2, H = 2: per step the free-running call's three
//   sites ([1, B, w] each), then the teacher-forced call's ([L, B, w] each).
//   torch.manual_seed(7); F.dropout(torch.ones(100000), 0.3, training=True)
const UNIFORM_BITS: Record<number, number> = {0: 3160686804, 1: 3189129444, 2: 1037691077, 623: 993089754, 624: 3175336811, 625: 3173624589, 699: 3190320883};
const UNIFORM_SUM = 3.1067280501629284;
const RANDN_37 = [-2.20176100730896, -1.21401846408844, 1.0424405336380005, -0.7016081213951111, 0.27951958775520325, -0.874748706817627, -0.3852127492427826, -0.20645032823085785, -0.37417182326316833, 1.1914269924163818, 1.9986391067504883, 1.0349228382110596, 0.25906914472579956, -0.626168966293335, 0.8475891947746277, 0.6953584551811218, -0.32999229431152344, 1.3875008821487427, 0.8373448848724365, 2.0306873321533203, -1.3103508949279785, -0.9235814213752747, 0.14774315059185028, 0.20221418142318726, 0.6109022498130798, -0.07798232138156891, 0.2936897277832031, 0.7510358691215515, -0.3185030221939087, -0.09675995260477066, -0.8121320605278015, 0.5428480505943298, -1.4241042137145996, 1.376380205154419, -0.6401777267456055, -1.039453148841858, 0.5660918951034546];
/** 1 = kept (1.25), 0 = dropped, in the layout [L, sites, 2B, width]. */
const MASKS = '011111011010111101111110101111111001111111111111111111010010111111101111110111110111';
const KEEP_0_3_BITS = 1068948334;
const KEPT_0_3 = 70127;

const bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
const b = 1 / Math.sqrt(32);

describe('TorchGenerator (PyTorch 1.13 CPU generator)', () => {
  it('uniform_ gives PyTorch\'s float32 values bit for bit, across the 624-word refill', () => {
    const u = new TorchGenerator(1111).uniform(new Float32Array(700), -b, b);
    for (const [i, expected] of Object.entries(UNIFORM_BITS)) expect(bits(u[Number(i)]!), `element ${i}`).toBe(expected);
    expect(u.reduce((s, x) => s + x, 0)).toBeCloseTo(UNIFORM_SUM, 9);
  });

  it('randn follows on the same stream, within PyTorch\'s float32 log / sin / cos approximations', () => {
    const g = new TorchGenerator(1111);
    g.skip(700);
    const n = g.randn(37);
    expect(randnDraws(37)).toBe(37 + 16);
    for (let i = 0; i < 37; i++) expect(Math.abs(n[i]! - RANDN_37[i]!), `value ${i}`).toBeLessThan(4e-7);
  });

  it('windowMasks draws the original\'s dropout calls of a window in its order', () => {
    const g = new TorchGenerator(1111);
    g.skip(700 + randnDraws(37));
    const masks = g.windowMasks(0.2, 3, 2, [3, 2, 2]);
    expect([...masks].map((v) => (v === 0 ? '0' : '1')).join('')).toBe(MASKS);
    expect(new Set(masks)).toEqual(new Set([0, 1.25]));
    expect(windowMaskDraws(3, 2, [3, 2, 2])).toBe(2 * MASKS.length);
  });

  it('keeps 1 - rate of the elements at 1 / (1 - rate) as float32', () => {
    const masks = new TorchGenerator(7).windowMasks(0.3, 1, 50000, [1]);
    expect(masks.filter((v) => v > 0).length).toBe(KEPT_0_3);
    expect(bits(Math.max(...masks))).toBe(KEEP_0_3_BITS);
  });

  it('state() and fromState continue the stream; skip equals drawing', () => {
    const a = new TorchGenerator(42);
    a.skip(1000);
    const b2 = TorchGenerator.fromState(a.state());
    const c = new TorchGenerator(42);
    for (let i = 0; i < 1000; i++) c.nextUint32();
    for (let i = 0; i < 700; i++) {
      const x = a.nextUint32();
      expect(b2.nextUint32()).toBe(x);
      expect(c.nextUint32()).toBe(x);
    }
    expect(() => TorchGenerator.fromState([1, 2, 3])).toThrow(/625 words/);
  });
});
