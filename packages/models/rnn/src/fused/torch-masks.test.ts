// rng: torch in the fused kernel: its dropout masks are TorchGenerator.windowMasks's (the
// JS generator checked against PyTorch in ../torch-random.test.ts) value for value, also
// when two instances split the lanes, and its generator ends where the JS one does.
import { describe, expect, it } from 'vitest';
import { architectureOf } from '../architecture.ts';
import { resolveOptions } from '../config.ts';
import { TorchGenerator } from '../torch-random.ts';
import { FusedKernel } from './kernel.ts';
import { laneSplit } from './threads.ts';

const arch = architectureOf(resolveOptions({ embedding: 6, hidden: 5, layers: 2 }), 2);
const widths = [6, 5, 5];
const B = 9;
const maxSteps = 12;
const series = Float32Array.from({ length: 40 * B * 2 }, (_, i) => Math.sin(i / 7));

function kernelWindows(kernel: FusedKernel, lengths: number[], rate: number): Float32Array[] {
  const seq = kernel.loadSeries('train', series.subarray(0, 40 * kernel.lanes * 2));
  kernel.load(new Float32Array(kernel.size).fill(0.01));
  let start = 0;
  return lengths.map((length) => {
    kernel.lossAndGrad(seq, start, length, rate, 0);
    start += length;
    return kernel.lastMasks(length);
  });
}

describe('fused kernel, rng: torch', () => {
  // 12 + 12 + 7 steps: windows of the full and of a shorter length, across several mt19937 refills.
  const lengths = [12, 12, 7];
  for (const rate of [0.2, 0.35]) {
    it(`draws the JS generator's masks bit for bit (rate ${rate}) and ends at its state`, () => {
      const js = new TorchGenerator(1234);
      const kernel = new FusedKernel(arch, B, maxSteps);
      kernel.setTorchStream(js.state());
      const got = kernelWindows(kernel, lengths, rate);
      for (const [w, length] of lengths.entries()) {
        const expected = js.windowMasks(rate, length, B, widths);
        expect(got[w]!.length).toBe(expected.length);
        const differing = got[w]!.filter((v, i) => v !== expected[i]).length;
        expect(differing, `window ${w}`).toBe(0);
      }
      expect([...kernel.torchState]).toEqual([...js.state()]);
    });
  }

  it('with the lanes split over two instances, each holds its lanes of the full masks and both end at the same state', () => {
    const full = new TorchGenerator(99);
    const expected = lengths.map((length) => full.windowMasks(0.2, length, B, widths));
    for (const { offset, lanes } of laneSplit(B)) {
      const kernel = new FusedKernel(arch, lanes, maxSteps);
      kernel.setLaneSplit(B, offset);
      kernel.setTorchStream(new TorchGenerator(99).state());
      const got = kernelWindows(kernel, lengths, 0.2);
      for (const [w, length] of lengths.entries()) {
        let differing = 0;
        for (let t = 0; t < length; t++)
          for (const [s, width] of widths.entries()) {
            const site = (P: number) => t * P * 16 + (s === 0 ? 0 : P * 6 + (s - 1) * P * 5);
            for (const group of [0, 1])
              for (let p = 0; p < lanes; p++)
                for (let j = 0; j < width; j++) {
                  const mine = got[w]![site(2 * lanes) + (group * lanes + p) * width + j];
                  const theirs = expected[w]![site(2 * B) + (group * B + offset + p) * width + j];
                  if (mine !== theirs) differing++;
                }
          }
        expect(differing, `lanes from ${offset}, window ${w}`).toBe(0);
      }
      expect([...kernel.torchState]).toEqual([...full.state()]);
    }
  });

  it('setTorchStream(undefined) returns to the counter stream', () => {
    const kernel = new FusedKernel(arch, B, maxSteps);
    kernel.setTorchStream(new TorchGenerator(5).state());
    const torch = kernelWindows(kernel, [12], 0.2)[0]!;
    kernel.setTorchStream(undefined);
    const before = kernel.torchState;
    const counter = kernelWindows(kernel, [12], 0.2)[0]!;
    expect(counter.filter((v, i) => v !== torch[i]).length).toBeGreaterThan(100);
    expect([...kernel.torchState]).toEqual([...before]);
  });
});
