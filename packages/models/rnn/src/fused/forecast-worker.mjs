// The forecast helper thread (./forecast-threads.ts; plain JavaScript so that a worker needs
// no TypeScript loader), shared by every ThreadedForecastKernel of the thread that started
// it. For each kernel it owns a second instance of the fused module, set up like that
// kernel's, and on request runs the first rows [0, m) of a chunk whole (teacher-forced pass
// from the chunk's start state, then the free-running steps) while the calling thread runs
// the teacher-forced pass over all rows and the free-running steps of the rest.
//
// Kernels are added and removed with messages on the port (read synchronously,
// receiveMessageOnPort, whenever the request counter moves); a run is described in the
// control slots below (Atomics.wait / notify) and its data is in the kernel's own
// SharedArrayBuffer (layout in forecast-threads.ts). Errors go to the port.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';

const { control, port, slots } = workerData;
// Control slot numbers: defined once, in forecast-threads.ts (SLOTS).
const { REQ, DONE, RUN_GEN, RUN_KERNEL, RUN_ROWS, ERROR, QUIT, K_READY, K_PARAMS_GEN } = slots;

const ctrl = new Int32Array(control);
/** Kernel id -> its instance, views and the parameter generation it holds. */
const kernels = new Map();

function add({ id, module, arch, cellCode, horizon, chunk, kernelControl, shared }) {
  const kctrl = new Int32Array(kernelControl);
  try {
    const C = arch.channels;
    // `shared` holds the kernel's views of its SharedArrayBuffer (params, state, input, out, finishedAt): their lengths size this instance's views.
    const size = shared.params.length;
    const x = new WebAssembly.Instance(module, {}).exports;
    const count = x.init(C, arch.embedding, arch.hidden, arch.layers, cellCode, arch.residual ? 1 : 0, 1, 1);
    if (count !== size) throw new Error(`forecast worker: ${count} parameters, expected ${size}`);
    const outPtr = x.forecastInit(chunk, horizon);
    // Buffers are allocated: the memory does not grow any more, so the views stay valid.
    const f32 = (ptr, n) => new Float32Array(x.memory.buffer, ptr, n);
    kernels.set(id, {
      x,
      C,
      horizon,
      kctrl,
      loadedGen: 0,
      shared,
      params: f32(x.paramsPtr(), size),
      state: f32(x.forecastStatePtr(), shared.state.length),
      input: f32(x.forecastInputPtr(), shared.input.length),
      out: f32(outPtr, shared.out.length),
    });
    Atomics.store(kctrl, K_READY, 1);
  } catch (error) {
    port.postMessage({ error: `kernel ${id}: ${String(error?.stack ?? error)}` });
    Atomics.store(kctrl, K_READY, -1);
  }
}

/** Rows [0, m) of kernel k's chunk in its shared input, from its shared start state. */
function run(k, m) {
  const gen = Atomics.load(k.kctrl, K_PARAMS_GEN);
  if (gen !== k.loadedGen) {
    k.params.set(k.shared.params);
    k.x.prepare();
    k.loadedGen = gen;
  }
  k.state.set(k.shared.state);
  k.input.set(k.shared.input.subarray(0, m * k.C));
  k.x.forecastChunk(m);
  k.shared.out.set(k.out.subarray(0, m * k.horizon * k.C));
  k.shared.finishedAt[0] = performance.timeOrigin + performance.now();
}

function drainMessages() {
  let received;
  while ((received = receiveMessageOnPort(port))) {
    const message = received.message;
    if (message.op === 'add') add(message);
    else if (message.op === 'remove') kernels.delete(message.id);
  }
}

let seen = 0;
let lastRun = 0;
for (;;) {
  while (Atomics.load(ctrl, REQ) === seen) Atomics.wait(ctrl, REQ, seen);
  seen = Atomics.load(ctrl, REQ);
  if (Atomics.load(ctrl, QUIT) !== 0) break;
  drainMessages();
  const runGen = Atomics.load(ctrl, RUN_GEN);
  if (runGen === lastRun) continue;
  lastRun = runGen;
  try {
    const k = kernels.get(Atomics.load(ctrl, RUN_KERNEL));
    if (!k) throw new Error(`forecast worker: no kernel ${Atomics.load(ctrl, RUN_KERNEL)}`);
    run(k, Atomics.load(ctrl, RUN_ROWS));
  } catch (error) {
    port.postMessage({ error: String(error?.stack ?? error) });
    Atomics.store(ctrl, ERROR, 1);
  }
  Atomics.store(ctrl, DONE, runGen);
  Atomics.notify(ctrl, DONE);
}
port.close();
