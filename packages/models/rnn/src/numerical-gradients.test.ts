// "Must show": each cell's gradients match numerical gradients. The window loss is written
// out in plain JS (float64; PyTorch's cell equations, this package's [in, out] weight
// layout and [i, f, o, g] LSTM gate order) and differenced centrally, with the
// hidden-matching target h2 frozen at its value for the unperturbed weights (the
// stop-gradient). The analytic gradients under test: tfjs autograd through windowLoss
// (float32; 2 layers, E != H, residual, fixed dropout masks, non-zero carried state) and
// the fused WebAssembly kernel's hand-written backward pass (lossAndGrad, dropout 0).
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import type * as tfType from '@tensorflow/tfjs';
import { resolveOptions, type CellType } from './config.ts';
import { architectureOf, initialParameters, parameterLayout, stopGradient, weightViews, windowLoss, type Architecture, type ModelState } from './rnn-model.ts';
import { GATES } from './cells.ts';
import { FusedKernel } from './fused/kernel.ts';
import { relError } from './test-support.ts';

const { tf } = await loadTensorRuntime();

const sig = (v: number) => 1 / (1 + Math.exp(-v));
type Vec = number[];

/** Weights of the flat vector as named row-major views ([in, out], PyTorch's transpose). */
function unpack(arch: Architecture, p: Float64Array) {
  const s = new Map(parameterLayout(arch).map((slot) => [slot.name, p.subarray(slot.offset, slot.offset + slot.size)]));
  return {
    encW: s.get('encoder.weight')!, encB: s.get('encoder.bias')!, decW: s.get('decoder.weight')!, decB: s.get('decoder.bias')!,
    layers: Array.from({ length: arch.layers }, (_, l) => ({ wih: s.get(`rnn.${l}.weight_ih`)!, whh: s.get(`rnn.${l}.weight_hh`)!, bih: s.get(`rnn.${l}.bias_ih`)!, bhh: s.get(`rnn.${l}.bias_hh`)! })),
  };
}

/** y = x @ W + b for W [in, out] row-major. */
function affine(x: Vec, W: Float64Array, b: Float64Array, out: number): Vec {
  const y = Array.from(b.subarray(0, out));
  for (let i = 0; i < x.length; i++) for (let j = 0; j < out; j++) y[j]! += x[i]! * W[i * out + j]!;
  return y;
}

/** One lane's state: per layer [h] or [h, c]. */
type LaneState = Vec[][];
/** Per step, per site (encoder, layer 0..N-1), per lane: dropout multipliers (0 or 1/(1-p)). */
type Masks = number[][][][];

/** One time step of one lane (the model's forward equations). */
function step(arch: Architecture, W: ReturnType<typeof unpack>, x: Vec, state: LaneState, mask?: number[][]): { y: Vec; state: LaneState; top: Vec } {
  const { hidden: H, cell } = arch;
  const G = GATES[cell] * H;
  let input = affine(x, W.encW, W.encB, arch.embedding);
  if (mask) input = input.map((v, k) => v * mask[0]![k]!);
  const next: LaneState = [];
  W.layers.forEach((lw, l) => {
    const h = state[l]![0]!;
    const gi = affine(input, lw.wih, lw.bih, G);
    const gh = affine(h, lw.whh, lw.bhh, G);
    let layer: Vec[];
    if (cell === 'LSTM') {
      const z = gi.map((v, j) => v + gh[j]!);
      const c = state[l]![1]!;
      const c2 = c.map((cv, k) => sig(z[H + k]!) * cv + sig(z[k]!) * Math.tanh(z[3 * H + k]!));
      layer = [c2.map((cv, k) => sig(z[2 * H + k]!) * Math.tanh(cv)), c2];
    } else if (cell === 'GRU') {
      const hn = h.map((hv, k) => {
        const r = sig(gi[k]! + gh[k]!);
        const z = sig(gi[H + k]! + gh[H + k]!);
        const n = Math.tanh(gi[2 * H + k]! + r * gh[2 * H + k]!);
        return (1 - z) * n + z * hv;
      });
      layer = [hn];
    } else {
      layer = [gi.map((v, j) => (cell === 'RNN_TANH' ? Math.tanh(v + gh[j]!) : Math.max(0, v + gh[j]!)))];
    }
    next.push(layer);
    input = layer[0]!;
    if (mask) input = input.map((v, k) => v * mask[l + 1]![k]!);
  });
  let y = affine(input, W.decW, W.decB, arch.channels);
  if (arch.residual) y = y.map((v, c) => v + x[c]!);
  return { y, state: next, top: input };
}

interface Window {
  inputs: Vec[][]; // [t][lane] -> [C]
  targets: Vec[][]; // [t][lane] -> [C]
  state: LaneState[]; // [lane]
  masks?: Masks; // [t][site][lane 0..2B-1] -> [width]
}

/**
 * The three-term loss of a window. `frozenH2` replaces the teacher-forced top outputs in
 * the hidden term (the stop-gradient); the computed ones are returned as `h2`.
 */
function windowLossJs(arch: Architecture, p: Float64Array, win: Window, frozenH2?: Vec[][]): { loss: number; terms: number[]; h2: Vec[][] } {
  const W = unpack(arch, p);
  const B = win.inputs[0]!.length;
  const L = win.inputs.length;
  let [free, teacher, hidden] = [0, 0, 0];
  const h2: Vec[][] = [];
  let nHidden = 0;
  const sF = [...win.state];
  const sT = [...win.state];
  const xF = win.inputs[0]!.map((x) => [...x]);
  for (let t = 0; t < L; t++) {
    h2.push([]);
    for (let b = 0; b < B; b++) {
      const maskF = win.masks?.[t]!.map((site) => site[b]!);
      const maskT = win.masks?.[t]!.map((site) => site[B + b]!);
      const f = step(arch, W, xF[b]!, sF[b]!, maskF);
      const g = step(arch, W, win.inputs[t]![b]!, sT[b]!, maskT);
      sF[b] = f.state;
      sT[b] = g.state;
      xF[b] = f.y;
      const target = win.targets[t]![b]!;
      f.y.forEach((v, c) => (free += (v - target[c]!) ** 2));
      g.y.forEach((v, c) => (teacher += (v - target[c]!) ** 2));
      h2[t]!.push(g.top);
      const ref = frozenH2 ? frozenH2[t]![b]! : g.top;
      f.top.forEach((v, k) => {
        hidden += (v - ref[k]!) ** 2;
        nHidden++;
      });
    }
  }
  const n = L * B * arch.channels;
  const terms = [free / n, teacher / n, hidden / nHidden];
  return { loss: terms[0]! + terms[1]! + terms[2]!, terms, h2 };
}

/** Central differences of the loss with h2 frozen (stop-gradient), or not frozen (`frozen = false`). */
function numericalGradient(arch: Architecture, p0: Float64Array, win: Window, frozen = true, eps = 1e-6): Float64Array {
  const h2 = frozen ? windowLossJs(arch, p0, win).h2 : undefined;
  const grad = new Float64Array(p0.length);
  const p = Float64Array.from(p0);
  for (let i = 0; i < p.length; i++) {
    p[i] = p0[i]! + eps;
    const up = windowLossJs(arch, p, win, h2).loss;
    p[i] = p0[i]! - eps;
    const down = windowLossJs(arch, p, win, h2).loss;
    p[i] = p0[i]!;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

function randomWindow(arch: Architecture, B: number, L: number, random: SeededRandom, dropout: number, zeroState = false): Window {
  const C = arch.channels;
  const row = () => Array.from({ length: C }, () => random.normal());
  const series = Array.from({ length: L + 1 }, () => Array.from({ length: B }, row));
  const vec = (n: number, scale: number) => Array.from({ length: n }, () => (zeroState ? 0 : scale * random.normal()));
  const state = Array.from({ length: B }, () => Array.from({ length: arch.layers }, () => Array.from({ length: arch.cell === 'LSTM' ? 2 : 1 }, () => vec(arch.hidden, 0.3))));
  const widths = [arch.embedding, ...Array<number>(arch.layers).fill(arch.hidden)];
  const masks = dropout > 0
    ? Array.from({ length: L }, () => widths.map((w) => Array.from({ length: 2 * B }, () => Array.from({ length: w }, () => (random.uniform() < dropout ? 0 : 1 / (1 - dropout))))))
    : undefined;
  return { inputs: series.slice(0, L), targets: series.slice(1), state, masks };
}

/** Loss and gradient from tfjs autograd through windowLoss (the training path's function). */
function tfjsGradient(arch: Architecture, params: Float32Array, win: Window): { loss: number; terms: number[]; grad: Float32Array } {
  const B = win.inputs[0]!.length;
  const C = arch.channels;
  return tf.tidy(() => {
    const inputs = win.inputs.map((lanes) => tf.tensor2d(lanes.flat(), [B, C]));
    const targets = tf.tensor3d(win.targets.flatMap((lanes) => [...lanes.flat(), ...lanes.flat()]), [win.inputs.length, 2 * B, C]);
    const state: ModelState = Array.from({ length: arch.layers }, (_, l) => win.state[0]![l]!.map((_, j) => tf.tensor2d(win.state.flatMap((lane) => lane[l]![j]!), [B, arch.hidden])));
    const masks = win.masks?.map((sites) => sites.map((lanes) => tf.tensor2d(lanes.flat(), [2 * B, lanes[0]!.length])));
    const detach = stopGradient(tf);
    let terms: number[] = [];
    const { value, grads } = tf.valueAndGrads((flat: tfType.Tensor) => {
      const r = windowLoss(tf, arch, weightViews(tf, arch, flat as tfType.Tensor1D), inputs, targets, state, masks, detach);
      terms = Array.from(r.terms.dataSync());
      return r.loss;
    })([tf.tensor1d(params)]);
    return { loss: value.dataSync()[0]!, terms, grad: grads[0]!.dataSync() as Float32Array };
  });
}

const CELLS: CellType[] = ['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'];

describe('gradients == central differences of the explicit float64 loss (hidden target frozen)', () => {
  for (const cell of CELLS) {
    it(`${cell}: tfjs autograd (C=2, E=3, H=2, 2 layers, residual, dropout 0.3 masks, B=2, L=3, carried state)`, () => {
      const arch = architectureOf(resolveOptions({ cell, embedding: 3, hidden: 2, layers: 2, residual: true }), 2);
      const random = new SeededRandom(17);
      // The default init scaled up x3 so every gate is away from its linear regime.
      const params = initialParameters(arch, random).map((v, i) => 3 * v + 0.05 * Math.sin(i));
      const win = randomWindow(arch, 2, 3, random, 0.3);
      const p64 = Float64Array.from(params);
      const js = windowLossJs(arch, p64, win);
      const numeric = numericalGradient(arch, p64, win);
      const tfjs = tfjsGradient(arch, params, win);

      expect(Math.abs(tfjs.loss - js.loss) / js.loss).toBeLessThan(1e-5);
      expect(js.terms[2]).toBeGreaterThan(1e-3); // a non-degenerate hidden term
      js.terms.forEach((term, k) => expect(Math.abs(tfjs.terms[k]! - term) / term, `term ${k}`).toBeLessThan(1e-5));
      expect(relError(tfjs.grad, numeric)).toBeLessThan(1e-5); // measured 4e-8 .. 7e-7
      // Most parameters matter (ReLU's inactive units and the dropped units zero a few).
      const nonZero = numeric.filter((g) => Math.abs(g) > 1e-6).length;
      expect(nonZero).toBeGreaterThan(0.7 * numeric.length);
      // The check can tell: without the stop-gradient the numerical gradient differs by more
      // than 100x the tolerance above (measured 7e-3 .. 8e-2 depending on the cell).
      expect(relError(tfjs.grad, numericalGradient(arch, p64, win, false))).toBeGreaterThan(1e-3);
    });
  }

  for (const cell of CELLS) {
    it(`${cell}: fused kernel backward (C=2, E=3, H=2, 2 layers, residual, dropout 0, B=2, L=3)`, () => {
      const arch = architectureOf(resolveOptions({ cell, embedding: 3, hidden: 2, layers: 2, residual: true }), 2);
      const random = new SeededRandom(23);
      const params = initialParameters(arch, random).map((v, i) => 3 * v + 0.05 * Math.sin(i));
      const [B, L] = [2, 3];
      const win = randomWindow(arch, B, L, random, 0, true); // the kernel starts from zeros (resetState)
      const numeric = numericalGradient(arch, Float64Array.from(params), win);
      const js = windowLossJs(arch, Float64Array.from(params), win);

      const kernel = new FusedKernel(arch, B, L);
      kernel.load(params);
      // Series [steps, lanes, C]: row t is the input at t and the target at t - 1.
      const seq = kernel.loadSeries('s', Float32Array.from([...win.inputs, win.targets[L - 1]!].flatMap((lanes) => lanes.flat())));
      kernel.resetState();
      const terms = kernel.lossAndGrad(seq, 0, L, 0, 1);
      // float32 and the kernel's own exp/tanh: the small hidden term (h1 == h2 at t = 0) to 1e-4.
      js.terms.forEach((term, k) => expect(Math.abs(terms[k]! - term) / term, `term ${k}`).toBeLessThan(1e-4));
      expect(relError(kernel.grad, numeric)).toBeLessThan(1e-5); // measured 3e-8 .. 2e-7
    });
  }
});
