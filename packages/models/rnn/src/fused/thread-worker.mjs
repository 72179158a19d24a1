// One of the two worker threads of the fused engine's lane split (./threads.ts; plain
// JavaScript so that a worker needs no TypeScript loader). It owns an instance of the fused
// WebAssembly module holding lanes [offset, offset + lanes) of the batch, and their carried
// state. Commands arrive on a MessagePort, read synchronously (receiveMessageOnPort) when
// the main thread bumps this worker's request counter; completion is signalled on the
// worker's done counter (Atomics.wait / notify on the control SharedArrayBuffer).
//
// A training window: loss terms and gradient of this half (means over the whole batch),
// gradient copied into this worker's shared gradient slot, a barrier with the other worker,
// then both sum grad0 + grad1 (same order in both, so the same bits) and apply the same
// clip + Adam update to their own copy of the parameters: both continue with identical
// weights without a second hand-off.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';

const { module, arch, lanes, maxSteps, total, offset, index, control, shared, size, port } = workerData;
const CELL_CODES = { LSTM: 0, GRU: 1, RNN_TANH: 2, RNN_RELU: 3 };
// Control slots (Int32): request k, done k, arrived k (barrier), error flag.
const REQ = index;
const DONE = 2 + index;
const ARRIVED = 4 + index;
const OTHER_ARRIVED = 4 + (1 - index);
const ERROR = 6;

const ctrl = new Int32Array(control);
const sharedF32 = new Float32Array(shared, 0, 5 * size);
const sharedParams = sharedF32.subarray(0, size);
const sharedM = sharedF32.subarray(size, 2 * size);
const sharedV = sharedF32.subarray(2 * size, 3 * size);
const grad0 = sharedF32.subarray(3 * size, 4 * size);
const grad1 = sharedF32.subarray(4 * size, 5 * size);
const myGrad = index === 0 ? grad0 : grad1;
const sharedTerms = new Float64Array(shared, alignedTermsOffset(size), 6);
const TORCH_STATE_WORDS = 625; // ../torch-random.ts
const sharedTorch = new Uint32Array(shared, alignedTermsOffset(size) + 6 * 8, TORCH_STATE_WORDS);

function alignedTermsOffset(n) {
  return Math.ceil((5 * n * 4) / 8) * 8;
}

const x = new WebAssembly.Instance(module, {}).exports;
const count = x.init(arch.channels, arch.embedding, arch.hidden, arch.layers, CELL_CODES[arch.cell], arch.residual ? 1 : 0, lanes, maxSteps);
if (count !== size) throw new Error(`fused worker: ${count} parameters, expected ${size}`);
x.setLaneSplit(total, offset);

const f32 = (ptr, n) => new Float32Array(x.memory.buffer, ptr, n);
const series = new Map(); // handle -> { ptr, capacity }

function writeTerms() {
  sharedTerms.set(new Float64Array(x.memory.buffer, x.termsPtr(), 3), 3 * index);
}

function waitOther(gen) {
  for (;;) {
    const seen = Atomics.load(ctrl, OTHER_ARRIVED);
    if (seen === gen) return;
    if (Atomics.load(ctrl, ERROR) !== 0) throw new Error('fused worker: the other worker failed');
    Atomics.wait(ctrl, OTHER_ARRIVED, seen, 1000);
  }
}

function handle(cmd) {
  switch (cmd.op) {
    case 'load':
      f32(x.paramsPtr(), size).set(sharedParams);
      f32(x.adamMPtr(), size).set(sharedM);
      f32(x.adamVPtr(), size).set(sharedV);
      x.prepare();
      return;
    case 'save':
      sharedParams.set(f32(x.paramsPtr(), size));
      sharedM.set(f32(x.adamMPtr(), size));
      sharedV.set(f32(x.adamVPtr(), size));
      return;
    case 'series': {
      const data = cmd.data;
      let entry = series.get(cmd.handle);
      if (!entry || entry.capacity < data.length) {
        entry = { ptr: x.alloc(data.length * 4), capacity: data.length };
        series.set(cmd.handle, entry);
      }
      f32(entry.ptr, data.length).set(data);
      return;
    }
    case 'reset':
      x.resetState();
      return;
    case 'torch':
      // Both workers copy the same state in before either draws (the caller waits for both).
      x.setTorchMasks(cmd.on ? 1 : 0);
      if (cmd.on) new Uint32Array(x.memory.buffer, x.torchStatePtr(), TORCH_STATE_WORDS).set(sharedTorch);
      return;
    case 'torch-save':
      sharedTorch.set(new Uint32Array(x.memory.buffer, x.torchStatePtr(), TORCH_STATE_WORDS));
      return;
    case 'eval':
      x.evalWindow(series.get(cmd.seq).ptr, cmd.start, cmd.length);
      writeTerms();
      return;
    case 'train': {
      const a = cmd.adam;
      x.lossAndGrad(series.get(cmd.seq).ptr, cmd.start, cmd.length, cmd.dropout, cmd.maskSeed >>> 0);
      writeTerms();
      myGrad.set(f32(x.gradPtr(), size));
      Atomics.store(ctrl, ARRIVED, cmd.gen);
      Atomics.notify(ctrl, ARRIVED);
      waitOther(cmd.gen);
      const g = f32(x.gradPtr(), size);
      for (let i = 0; i < size; i++) g[i] = grad0[i] + grad1[i];
      x.adamUpdate(a.lr, a.weightDecay, a.clip, a.beta1, a.beta2, a.epsilon, cmd.step);
      return;
    }
    default:
      throw new Error(`fused worker: unknown command ${cmd.op}`);
  }
}

let seen = 0;
for (;;) {
  while (Atomics.load(ctrl, REQ) === seen) Atomics.wait(ctrl, REQ, seen);
  let received;
  while (!(received = receiveMessageOnPort(port))) Atomics.wait(ctrl, REQ, -1, 1); // posted before the bump: only a formality
  const cmd = received.message;
  seen = cmd.gen;
  if (cmd.op === 'quit') break;
  try {
    handle(cmd);
  } catch (error) {
    sharedTerms.fill(Number.NaN);
    Atomics.store(ctrl, ERROR, 1);
    Atomics.notify(ctrl, OTHER_ARRIVED);
    Atomics.notify(ctrl, ARRIVED);
    port.postMessage({ error: String(error?.stack ?? error) });
  }
  Atomics.store(ctrl, DONE, cmd.gen);
  Atomics.notify(ctrl, DONE);
}
port.close();
