// "Must show": the three-term window loss of a tiny fixed model equals a value computed by
// hand. The forward equations are written out below in plain JS (float64), scalar by
// scalar, independent of cells.ts / rnn-model.ts; the weights are fixed small numbers
// placed in the flat vector by parameter name. Checked on the tfjs reference path
// (windowLoss) and on the fused WebAssembly engine (FusedKernel, public methods only).
import { describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { SeededRandom } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import { resolveOptions } from './config.ts';
import { architectureOf, parameterLayout, stopGradient, weightViews, windowLoss, type Architecture } from './rnn-model.ts';
import { FusedKernel } from './fused/kernel.ts';
import { RnnNetwork } from './network.ts';

const { tf, backend } = await loadTensorRuntime();

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Flat parameter vector from named values (every slot must be given, in its row-major [in, out] layout). */
function pack(arch: Architecture, named: Record<string, number[]>): Float32Array {
  const layout = parameterLayout(arch);
  const last = layout[layout.length - 1]!;
  const flat = new Float32Array(last.offset + last.size);
  for (const slot of layout) {
    const values = named[slot.name];
    if (!values || values.length !== slot.size) throw new Error(`test: ${slot.name} needs ${slot.size} values`);
    flat.set(values, slot.offset);
  }
  expect(Object.keys(named).sort()).toEqual(layout.map((s) => s.name).sort());
  return flat;
}

// One channel, B = 1, L = 3 steps: inputs x0..x2, targets x1..x3.
const SERIES = [0.5, -0.3, 0.8, 0.2];
const L = 3;
const xs = SERIES.slice(0, L);
const ys = SERIES.slice(1, L + 1);

/** Three MSEs of a window from per-step outputs/top-layer outputs of both passes (by hand). */
function threeTerms(yFree: number[], yTeacher: number[], topFree: number[][], topTeacher: number[][]) {
  const free = mean(yFree.map((y, t) => (y - ys[t]!) ** 2));
  const teacher = mean(yTeacher.map((y, t) => (y - ys[t]!) ** 2));
  const hidden = mean(topFree.flatMap((h, t) => h.map((v, k) => (v - topTeacher[t]![k]!) ** 2)));
  return [free, teacher, hidden];
}

/**
 * Runs a hand-written single-step function `step(x, state) -> { y, state, top }` as the
 * reference's window: free-running from x0 (feeding back its own prediction) and teacher
 * forced, both from the same carried state.
 */
function handWindow<S>(step: (x: number, s: S) => { y: number; s: S; top: number[] }, s0: S) {
  const yF: number[] = [], yT: number[] = [], hF: number[][] = [], hT: number[][] = [];
  let sF = s0, sT = s0, input = xs[0]!;
  for (let t = 0; t < L; t++) {
    const f = step(input, sF);
    yF.push(f.y); hF.push(f.top); sF = f.s; input = f.y; // free-running: the prediction is the next input
    const g = step(xs[t]!, sT);
    yT.push(g.y); hT.push(g.top); sT = g.s; // teacher forcing: the true row is the next input
  }
  const terms = threeTerms(yF, yT, hF, hT);
  return { terms, loss: terms[0]! + terms[1]! + terms[2]!, carried: sT };
}

/** windowLoss on the tfjs path, eval mode (no masks), B = 1. */
function tfjsWindow(arch: Architecture, flat: Float32Array, state: number[][]) {
  return tf.tidy(() => {
    const w = weightViews(tf, arch, tf.tensor1d(flat));
    const inputs = xs.map((x) => tf.tensor2d([x], [1, 1]));
    const targets = tf.tensor3d(ys.flatMap((y) => [y, y]), [L, 2, 1]);
    const s = state.map((layer) => tf.tensor2d(layer, [1, arch.hidden]));
    const r = windowLoss(tf, arch, w, inputs, targets, [s.length === 2 ? [s[0]!, s[1]!] : [s[0]!]], undefined, stopGradient(tf));
    return { loss: r.loss.dataSync()[0]!, terms: Array.from(r.terms.dataSync()), carried: r.state[0]!.map((t) => Array.from(t.dataSync())) };
  });
}

/** The fused kernel's loss terms for the same window (lanes = 1), from the given carried state. */
function fusedWindow(arch: Architecture, flat: Float32Array, state: number[][]) {
  const kernel = new FusedKernel(arch, 1, L);
  kernel.load(flat);
  const seq = kernel.loadSeries('s', Float32Array.from(SERIES));
  const setState = () => {
    kernel.resetState();
    const view = kernel.state; // layer 0: [h; c], each [1, H]
    state.forEach((values, j) => view.set(values, j * arch.hidden));
  };
  setState();
  const evalTerms = Array.from(kernel.evalWindow(seq, 0, L));
  const carried = [Array.from(kernel.state.subarray(0, arch.hidden)), Array.from(kernel.state.subarray(arch.hidden, 2 * arch.hidden))];
  setState();
  const trainTerms = Array.from(kernel.lossAndGrad(seq, 0, L, 0, 1));
  return { evalTerms, trainTerms, carried };
}

describe('three-term window loss == hand computation (tiny fixed models)', () => {
  it('LSTM, C = E = H = 1, one layer, L = 3, B = 1, carried state (h, c) = (0.1, -0.2)', () => {
    const arch = architectureOf(resolveOptions({ cell: 'LSTM', embedding: 1, hidden: 1, layers: 1, dropout: 0 }), 1);
    // Gate blocks in this package's order [i, f, o, g] (PyTorch's [i, f, g, o] reordered).
    const We = 0.7, be = -0.1;
    const Wi = [0.3, -0.4, 0.5, 0.6], Wh = [-0.2, 0.1, 0.35, -0.45];
    const bi = [0.05, 0.2, -0.1, 0.15], bh = [-0.02, 0.1, 0.03, -0.05];
    const Wd = 0.9, bd = 0.05;
    const flat = pack(arch, {
      'encoder.weight': [We], 'encoder.bias': [be],
      'rnn.0.weight_ih': Wi, 'rnn.0.weight_hh': Wh, 'rnn.0.bias_ih': bi, 'rnn.0.bias_hh': bh,
      'decoder.weight': [Wd], 'decoder.bias': [bd],
    });
    const f32 = (v: number) => Math.fround(v); // the model stores float32 weights: use exactly those
    const step = (x: number, [h, c]: [number, number]) => {
      const e = x * f32(We) + f32(be);
      const pre = (k: number) => e * f32(Wi[k]!) + h * f32(Wh[k]!) + f32(bi[k]!) + f32(bh[k]!);
      const i = sig(pre(0)), f = sig(pre(1)), o = sig(pre(2)), g = Math.tanh(pre(3));
      const c2 = f * c + i * g;
      const h2 = o * Math.tanh(c2);
      return { y: h2 * f32(Wd) + f32(bd), s: [h2, c2] as [number, number], top: [h2] };
    };
    const s0: [number, number] = [f32(0.1), f32(-0.2)];
    const hand = handWindow(step, s0);
    // Pinned to guard the hand computation itself against silent edits.
    expect(hand.loss).toBeCloseTo(0.4677298, 6);

    const tfjs = tfjsWindow(arch, flat, [[s0[0]], [s0[1]]]);
    expect(rel(tfjs.loss, hand.loss)).toBeLessThan(1e-5);
    hand.terms.forEach((term, k) => expect(rel(tfjs.terms[k]!, term), `term ${k}`).toBeLessThan(1e-5));
    expect(rel(tfjs.carried[0]![0]!, hand.carried[0])).toBeLessThan(1e-5);
    expect(rel(tfjs.carried[1]![0]!, hand.carried[1])).toBeLessThan(1e-5);

    const fused = fusedWindow(arch, flat, [[s0[0]], [s0[1]]]);
    hand.terms.forEach((term, k) => {
      expect(rel(fused.evalTerms[k]!, term), `fused eval term ${k}`).toBeLessThan(1e-5);
      expect(rel(fused.trainTerms[k]!, term), `fused train term ${k}`).toBeLessThan(1e-5);
    });
    expect(rel(fused.carried[0]![0]!, hand.carried[0])).toBeLessThan(1e-5);
    expect(rel(fused.carried[1]![0]!, hand.carried[1])).toBeLessThan(1e-5);
  });

  it('RNN_TANH, C = 1, E = H = 2, one layer, L = 3, B = 1, carried h = (0.3, -0.1)', () => {
    const arch = architectureOf(resolveOptions({ cell: 'RNN_TANH', embedding: 2, hidden: 2, layers: 1, dropout: 0 }), 1);
    const We = [0.6, -0.5], be = [0.1, 0.02];
    const Wih = [[0.4, -0.3], [0.25, 0.5]]; // [in e][out j]
    const Whh = [[-0.35, 0.2], [0.45, 0.15]]; // [from k][out j]
    const bih = [0.05, -0.1], bhh = [0.01, 0.03];
    const Wd = [0.8, -0.6], bd = -0.04;
    const flat = pack(arch, {
      'encoder.weight': We, 'encoder.bias': be,
      'rnn.0.weight_ih': Wih.flat(), 'rnn.0.weight_hh': Whh.flat(), 'rnn.0.bias_ih': bih, 'rnn.0.bias_hh': bhh,
      'decoder.weight': Wd, 'decoder.bias': [bd],
    });
    const f = Math.fround;
    const step = (x: number, h: number[]) => {
      const e = [x * f(We[0]!) + f(be[0]!), x * f(We[1]!) + f(be[1]!)];
      const a = [0, 1].map((j) => e[0]! * f(Wih[0]![j]!) + e[1]! * f(Wih[1]![j]!) + h[0]! * f(Whh[0]![j]!) + h[1]! * f(Whh[1]![j]!) + f(bih[j]!) + f(bhh[j]!));
      const h2 = a.map(Math.tanh);
      return { y: h2[0]! * f(Wd[0]!) + h2[1]! * f(Wd[1]!) + f(bd), s: h2, top: h2 };
    };
    const s0 = [f(0.3), f(-0.1)];
    const hand = handWindow(step, s0);
    expect(hand.loss).toBeCloseTo(0.5967024, 6);

    const tfjs = tfjsWindow(arch, flat, [s0]);
    expect(rel(tfjs.loss, hand.loss)).toBeLessThan(1e-5);
    hand.terms.forEach((term, k) => expect(rel(tfjs.terms[k]!, term), `term ${k}`).toBeLessThan(1e-5));
    hand.carried.forEach((v, k) => expect(rel(tfjs.carried[0]![k]!, v)).toBeLessThan(1e-5));

    const fused = fusedWindow(arch, flat, [s0]);
    hand.terms.forEach((term, k) => {
      expect(rel(fused.evalTerms[k]!, term), `fused eval term ${k}`).toBeLessThan(1e-5);
      expect(rel(fused.trainTerms[k]!, term), `fused train term ${k}`).toBeLessThan(1e-5);
    });
    hand.carried.forEach((v, k) => expect(rel(fused.carried[0]![k]!, v)).toBeLessThan(1e-5));
  });
});

// Found by the replay against the PyTorch original (bench/reference-replay): the tfjs path
// reduced each term with one float32 mean over all L*B*C (L*B*H) elements, which drifted up
// to 7e-5 (relative) from PyTorch's loss on the default size; it now takes the mean one
// axis at a time. Reference: the same window's terms summed in float64 from the fused
// kernel (whose outputs agree with tfjs to ~1e-7).
describe('tfjs loss terms at the default size (L = 50, B = 64, E = H = 32) == a float64 sum', () => {
  it('all three terms within 2e-6 relative, from the initial weights on a seeded series', () => {
    const options = resolveOptions({ dropout: 0 });
    const net = new RnnNetwork(tf, backend, options, 2, 1111);
    const B = options.batch_size;
    const steps = options.bptt + 1;
    const random = new SeededRandom(5);
    // A smooth two-channel series per lane (the terms' size matters, not the values).
    const data = new Float32Array(steps * B * 2);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i / 37) + 0.3 * random.normal();
    const kernel = new FusedKernel(net.arch, B, options.bptt);
    kernel.load(net.params.dataSync() as Float32Array);
    kernel.resetState();
    const reference = kernel.evalWindow(kernel.loadSeries('s', data), 0, options.bptt);
    const terms = tf.tidy(() => {
      const w = weightViews(tf, net.arch, net.params);
      const row = B * 2;
      const inputs = Array.from({ length: options.bptt }, (_, t) => tf.tensor2d(data.subarray(t * row, (t + 1) * row), [B, 2]));
      const doubled = new Float32Array(options.bptt * 2 * row);
      for (let t = 0; t < options.bptt; t++) {
        doubled.set(data.subarray((t + 1) * row, (t + 2) * row), 2 * t * row);
        doubled.set(data.subarray((t + 1) * row, (t + 2) * row), (2 * t + 1) * row);
      }
      const state = Array.from({ length: net.arch.layers }, () => [tf.zeros([B, net.arch.hidden]), tf.zeros([B, net.arch.hidden])] as tfType.Tensor2D[]);
      return Array.from(windowLoss(tf, net.arch, w, inputs, tf.tensor3d(doubled, [options.bptt, 2 * B, 2]), state, undefined, stopGradient(tf)).terms.dataSync());
    });
    net.dispose();
    reference.forEach((term, k) => expect(rel(terms[k]!, term), `term ${k}: tfjs ${terms[k]} vs ${term}`).toBeLessThan(2e-6));
  });
});
