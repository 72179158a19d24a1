// Median wall time of one training batch (BPTT window) for the default configuration on
// synthetic data. Run: npx tsx packages/models/rnn/bench/train-step.ts [windows] [key=value ...]
import { loadTensorRuntime, SeededRandom } from '@anomalab/core';
import { generateSynthetic } from '@anomalab/datasets';
import { augment, channelStd } from '../src/augment.ts';
import { resolveOptions, type RnnOptions } from '../src/config.ts';
import { RnnNetwork } from '../src/network.ts';
import { zeroState } from '../src/rnn-model.ts';
import { trainWindow, upload, windowTensors } from '../src/train-loop.ts';

const args = process.argv.slice(2);
const windows = Number(args.find((a) => /^\d+$/.test(a)) ?? 12);
const overrides = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => {
  const [k, v] = a.split('=') as [string, string];
  return [k, v === 'true' || v === 'false' ? v === 'true' : Number.isNaN(Number(v)) ? v : Number(v)];
})) as Partial<RnnOptions>;
const options = resolveOptions(overrides);

const { tf, backend } = await loadTensorRuntime();
const { values, trainRows } = generateSynthetic({ length: 4000, channels: 1, train_fraction: 0.5, period: 100, noise: 0.05, anomalies: 0, seed: 1 });
const train = { rows: trainRows, channels: 1, values: values.slice(0, trainRows) };
const net = new RnnNetwork(tf, backend, options, 1, 1111);
const batched = upload(net, augment(train, channelStd(train), options.noise, options.augment_length, new SeededRandom(1).fork('bench')), options.batch_size, 'train');
let state = zeroState(tf, net.arch, options.batch_size);
const times: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < windows + 2; i++) {
  const window = batched.windows[i % batched.windows.length]!;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const { inputs, targets, dispose } = windowTensors(net, batched, window);
  const result = trainWindow(net, inputs, targets, state);
  dispose();
  tf.dispose(state.flat());
  state = result.state;
  if (i >= 2) {
    // First two windows warm up the kernels. CPU time is reported too: the machine is shared.
    times.push(performance.now() - started);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / 1000);
  }
}
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
times.sort((a, b) => a - b);
const median = medianOf(times);
console.log(`backend ${backend} | cell ${options.cell} E=${options.embedding} H=${options.hidden} N=${options.layers} batch ${options.batch_size} bptt ${options.bptt} | ${net.size} parameters`);
console.log(`median ${median.toFixed(1)} ms per training batch over ${times.length} batches (min ${times[0]!.toFixed(1)}, max ${times[times.length - 1]!.toFixed(1)}); median CPU time ${medianOf(cpu).toFixed(1)} ms; tensors alive ${tf.memory().numTensors}`);
tf.dispose(state.flat());
net.dispose();
