// Dropout with the original's weights and input: does anomalab draw the same distribution
// of losses and gradients as PyTorch? dropout_samples.py runs one training window of the
// original N times (fresh masks each time, weights frozen); here the same window from the
// same weights runs N times on the fused engine and on the tfjs engine with their own masks.
// If the dropout sites, mask shapes (per element, per time step, per lane) and scaling match,
// the per-draw loss terms have the same mean and spread, and the mean gradients agree up to
// the sampling noise (ratio ~1 below; a wrong site or rate shows as a ratio far above 1:
// try --rate 0.1). Not part of the test suite.
//
//   /usr/bin/python3 packages/models/rnn/bench/reference-seeds/dropout_samples.py --original CHECKOUT --samples 200 --out /tmp/drop
//   npx tsx packages/models/rnn/bench/reference-seeds/dropout-check.ts --samples-dir /tmp/drop [--rate 0.2] [--engines fused,tfjs]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mixSeed } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import { resolveOptions } from '../../src/config.ts';
import { FusedKernel } from '../../src/fused/kernel.ts';
import { RnnNetwork } from '../../src/network.ts';
import { architectureOf, rnnParameters, zeroState } from '../../src/rnn-model.ts';
import { windowGradient, windowTensors, type Batched } from '../../src/train-loop.ts';
import { fromTorch, type TorchTensor } from '../../src/torch-layout.ts';

const { values: args } = parseArgs({
  options: {
    'samples-dir': { type: 'string' },
    rate: { type: 'string' },
    engines: { type: 'string', default: 'fused,tfjs' },
  },
});
if (!args['samples-dir']) throw new Error('--samples-dir <folder written by dropout_samples.py> is required');
const dir = args['samples-dir'];
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  samples: number; dropout: number; parameters: [string, number[]][]; files: Record<string, number[]>;
  options: { emsize: number; nhid: number; nlayers: number; batch_size: number; bptt: number; model: string };
};
const f32 = (name: string) => { const b = readFileSync(join(dir, name)); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const N = manifest.samples;
const rate = args.rate ? Number(args.rate) : manifest.dropout;
const window = f32('window.bin');
const [steps, lanes, C] = manifest.files['window.bin'] as [number, number, number];
const o = manifest.options;
// The counter stream's masks (rng: torch draws the original's own, which needs no distribution check).
const options = resolveOptions({ cell: o.model as 'LSTM', embedding: o.emsize, hidden: o.nhid, layers: o.nlayers, batch_size: o.batch_size, bptt: o.bptt, dropout: rate, rng: 'counter' });
const arch = architectureOf(options, C);
const tensors = (prefix: string, k?: number) => new Map<string, TorchTensor>(manifest.parameters.map(([n, shape]) => {
  const all = f32(`${prefix}.${n}.bin`);
  const size = shape.reduce((a, b) => a * b, 1);
  return [n, { shape, data: k === undefined ? all : all.subarray(k * size, (k + 1) * size) }];
}));
const params = fromTorch(arch, tensors('init'));
const termsBin = readFileSync(join(dir, 'terms.bin'));
const torchTerms = new Float64Array(termsBin.buffer, termsBin.byteOffset, termsBin.byteLength / 8);

interface Draws { terms: number[][]; grads: Float32Array[] }
const original: Draws = { terms: Array.from({ length: N }, (_, k) => Array.from(torchTerms.subarray(3 * k, 3 * k + 3))), grads: Array.from({ length: N }, (_, k) => fromTorch(arch, tensors('grad', k))) };

function fusedDraws(): Draws {
  const kernel = new FusedKernel(arch, lanes, steps - 1);
  kernel.load(params);
  const seq = kernel.loadSeries('window', window);
  const out: Draws = { terms: [], grads: [] };
  for (let k = 0; k < N; k++) {
    kernel.resetState();
    out.terms.push(Array.from(kernel.lossAndGrad(seq, 0, steps - 1, rate, mixSeed(7, k))));
    out.grads.push(kernel.grad.slice());
  }
  return out;
}

async function tfjsDraws(): Promise<Draws> {
  const { tf, backend } = await loadTensorRuntime();
  const net = new RnnNetwork(tf, backend, options, C, 7);
  net.setParams(tf.tensor1d(params));
  const batched: Batched = { data: window, lanes, channels: C, steps, windows: [{ start: 0, length: steps - 1 }] };
  const { inputs, targets, dispose } = windowTensors(net, batched, batched.windows[0]!);
  const out: Draws = { terms: [], grads: [] };
  for (let k = 0; k < N; k++) {
    net.adam.load(new Float32Array(net.size), new Float32Array(net.size), k); // the mask stream is keyed by (seed, step)
    const state = zeroState(tf, arch, lanes);
    const r = windowGradient(net, inputs, targets, state);
    out.terms.push(Array.from(r.terms));
    out.grads.push((r.grad.dataSync() as Float32Array).slice());
    tf.dispose([r.grad, ...state.flat(), ...r.state.flat()]);
  }
  dispose();
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const meanVector = (vs: Float32Array[]) => { const m = new Float64Array(vs[0]!.length); for (const v of vs) for (let i = 0; i < m.length; i++) m[i]! += v[i]! / vs.length; return m; };
/** Sum over coordinates of the variance of the mean (trace of the covariance / N). */
const meanNoise = (vs: Float32Array[], m: Float64Array) => { let s = 0; for (const v of vs) for (let i = 0; i < m.length; i++) s += (v[i]! - m[i]!) ** 2; return s / (vs.length - 1) / vs.length; };

const engines = args.engines.split(',');
const results: [string, Draws][] = [['PyTorch original', original]];
if (engines.includes('fused')) results.push([`anomalab fused${rate !== manifest.dropout ? ` (rate ${rate})` : ''}`, fusedDraws()]);
if (engines.includes('tfjs')) results.push([`anomalab tfjs${rate !== manifest.dropout ? ` (rate ${rate})` : ''}`, await tfjsDraws()]);

const TERMS = ['free_running', 'teacher_forcing', 'hidden'];
console.log(`One window (${steps - 1} steps x ${lanes} lanes) from the original's weights, ${N} dropout draws each (original rate ${manifest.dropout}):\n`);
console.log(`| engine | ${TERMS.map((t) => `${t} mean ± sd`).join(' | ')} | gradient norm mean ± sd | mean-gradient distance / noise |`);
console.log(`|---|${TERMS.map(() => '---|').join('')}---|---|`);
const gOriginal = meanVector(original.grads);
const noiseOriginal = meanNoise(original.grads, gOriginal);
for (const [name, d] of results) {
  const cells = TERMS.map((_, i) => { const xs = d.terms.map((t) => t[i]!); return `${mean(xs).toPrecision(5)} ± ${sd(xs).toPrecision(2)}`; });
  const norms = d.grads.map((g) => Math.sqrt(g.reduce((a, x) => a + x * x, 0)));
  const g = meanVector(d.grads);
  let dist = 0;
  for (let i = 0; i < g.length; i++) dist += (g[i]! - gOriginal[i]!) ** 2;
  // For two independent samples of one distribution, E[dist^2] = noise_a + noise_b: the ratio is ~1.
  const ratio = d === original ? '–' : Math.sqrt(dist / (noiseOriginal + meanNoise(d.grads, g))).toFixed(2);
  console.log(`| ${name} | ${cells.join(' | ')} | ${mean(norms).toPrecision(4)} ± ${sd(norms).toPrecision(2)} | ${ratio} |`);
}
for (const [name, d] of results.slice(1)) {
  const z = TERMS.map((_, i) => {
    const a = d.terms.map((t) => t[i]!), b = original.terms.map((t) => t[i]!);
    return ((mean(a) - mean(b)) / Math.sqrt(sd(a) ** 2 / a.length + sd(b) ** 2 / b.length)).toFixed(1);
  });
  console.log(`\n${name}: z of the term means vs the original ${TERMS.map((t, i) => `${t} ${z[i]}`).join(', ')} (|z| < 3 expected)`);
}

// Where the gradient noise sits: per parameter tensor, the summed variance over draws of each
// engine relative to the original's (Adam normalises per coordinate, so noise moved between
// tensors would change training even with equal norms). ~1 +- a few 0.1 for 200 draws.
const slots = rnnParameters(arch).slots;
const slotVariance = (d: Draws, m: Float64Array, offset: number, size: number) => {
  let s = 0;
  for (const g of d.grads) for (let i = offset; i < offset + size; i++) s += (g[i]! - m[i]!) ** 2;
  return s / (d.grads.length - 1);
};
console.log(`\nGradient variance per parameter tensor, relative to the original's (mean gradient distance / noise per tensor in brackets):\n`);
console.log(`| tensor | ${results.slice(1).map(([n]) => n).join(' | ')} |`);
console.log(`|---|${results.slice(1).map(() => '---|').join('')}`);
const engineMeans = results.slice(1).map(([, d]) => [d, meanVector(d.grads)] as const);
for (const slot of slots) {
  const vo = slotVariance(original, gOriginal, slot.offset, slot.size);
  const cells = engineMeans.map(([d, g]) => {
    const va = slotVariance(d, g, slot.offset, slot.size);
    let dist = 0;
    for (let i = slot.offset; i < slot.offset + slot.size; i++) dist += (g[i]! - gOriginal[i]!) ** 2;
    return `${(va / vo).toFixed(3)} (${Math.sqrt(dist / ((vo + va) / d.grads.length)).toFixed(2)})`;
  });
  console.log(`| ${slot.name} | ${cells.join(' | ')} |`);
}
