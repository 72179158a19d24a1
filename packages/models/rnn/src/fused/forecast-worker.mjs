// The helper thread of a ThreadedForecastKernel (./forecast-threads.ts; plain JavaScript so
// that a worker needs no TypeScript loader). It owns a second instance of the fused module
// set up like the main thread's ForecastKernel and runs the first rows [0, m) of a chunk
// whole (teacher-forced pass from the chunk's start state, then the free-running steps)
// while the main thread runs the teacher-forced pass over all rows and the free-running
// steps of the rest. Everything goes through one SharedArrayBuffer (layout in
// forecast-threads.ts) and the Int32 control slots below (Atomics.wait / notify); errors
// also go to the MessagePort.
import { workerData } from 'node:worker_threads';

const { module, arch, horizon, chunk, size, control, shared, port } = workerData;
const CELL_CODES = { LSTM: 0, GRU: 1, RNN_TANH: 2, RNN_RELU: 3 };
// Control slots (Int32); the same numbers as forecast-threads.ts.
const REQ = 0;
const DONE = 1;
const OP = 2;
const ROWS = 3;
const PARAMS_GEN = 4;
const READY = 5;
const ERROR = 6;
const OP_RUN = 1;
const OP_QUIT = 2;

const C = arch.channels;
const stateLength = arch.layers * 2 * arch.hidden;
const ctrl = new Int32Array(control);
const sharedParams = new Float32Array(shared, 0, size);
const sharedState = new Float32Array(shared, size * 4, stateLength);
const sharedInput = new Float32Array(shared, (size + stateLength) * 4, chunk * C);
const sharedOut = new Float32Array(shared, (size + stateLength + chunk * C) * 4, chunk * horizon * C);
// When the worker finished its last chunk (ms since the epoch, performance.timeOrigin + now(): comparable across threads).
const sharedFinishedAt = new Float64Array(shared, Math.ceil(((size + stateLength + chunk * C + chunk * horizon * C) * 4) / 8) * 8, 1);

let x, params, state, input, out;
try {
  x = new WebAssembly.Instance(module, {}).exports;
  const count = x.init(C, arch.embedding, arch.hidden, arch.layers, CELL_CODES[arch.cell], arch.residual ? 1 : 0, 1, 1);
  if (count !== size) throw new Error(`forecast worker: ${count} parameters, expected ${size}`);
  const outPtr = x.forecastInit(chunk, horizon);
  // Buffers are allocated: the memory does not grow any more, so the views stay valid.
  params = new Float32Array(x.memory.buffer, x.paramsPtr(), size);
  state = new Float32Array(x.memory.buffer, x.forecastStatePtr(), stateLength);
  input = new Float32Array(x.memory.buffer, x.forecastInputPtr(), chunk * C);
  out = new Float32Array(x.memory.buffer, outPtr, chunk * horizon * C);
} catch (error) {
  fail(error);
  Atomics.store(ctrl, READY, -1);
  Atomics.notify(ctrl, READY);
  process.exit(1);
}
let loadedGen = 0;

/** Rows [0, m) of the chunk in the shared input, from the shared start state. */
function run(m) {
  const gen = Atomics.load(ctrl, PARAMS_GEN);
  if (gen !== loadedGen) {
    params.set(sharedParams);
    x.prepare();
    loadedGen = gen;
  }
  state.set(sharedState);
  input.set(sharedInput.subarray(0, m * C));
  x.forecastChunk(m);
  sharedOut.set(out.subarray(0, m * horizon * C));
  sharedFinishedAt[0] = performance.timeOrigin + performance.now();
}

function fail(error) {
  port.postMessage({ error: String(error?.stack ?? error) });
  Atomics.store(ctrl, ERROR, 1);
}

Atomics.store(ctrl, READY, 1);
Atomics.notify(ctrl, READY);
let seen = 0;
for (;;) {
  while (Atomics.load(ctrl, REQ) === seen) Atomics.wait(ctrl, REQ, seen);
  seen = Atomics.load(ctrl, REQ);
  const op = Atomics.load(ctrl, OP);
  if (op === OP_QUIT) break;
  try {
    if (op !== OP_RUN) throw new Error(`forecast worker: unknown operation ${op}`);
    run(Atomics.load(ctrl, ROWS));
  } catch (error) {
    fail(error);
  }
  Atomics.store(ctrl, DONE, seen);
  Atomics.notify(ctrl, DONE);
}
port.close();
