import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Architecture } from '../rnn-model.ts';
import { fusedModule, type AdamConstants } from './kernel.ts';
import { TORCH_STATE_WORDS } from '../torch-random.ts';

const WORKER_URL = new URL('./thread-worker.mjs', import.meta.url);
/** Control slots (Int32) of the hand-off; see thread-worker.mjs. */
const REQ = 0;
const DONE = 2;
const ERROR = 6;
/** A worker that does not answer within this time is taken as dead (a window takes milliseconds). */
const TIMEOUT_MS = 120_000;

/** The lanes [offset, offset + lanes) of a batch of `total` lanes held by one of the two workers. */
export function laneSplit(total: number): { offset: number; lanes: number }[] {
  const first = Math.ceil(total / 2);
  return [{ offset: 0, lanes: first }, { offset: first, lanes: total - first }];
}

/**
 * The fused training kernel split over two worker threads (`threads: 2`): each worker owns
 * an instance of the fused module with half of the batch lanes (and their carried state);
 * one hand-off per window. Same interface as the part of FusedKernel that training uses
 * (`loadSeries`, `resetState`, `trainWindow`, `evalWindow`, `load`, `params` / `m` / `v`),
 * and the same numbers up to float32 summation order: the loss means are over the whole
 * batch, the two gradients are summed, then clipped and applied by Adam in both workers
 * identically, and the dropout masks are the full batch's for the same lanes.
 *
 * Shared memory: parameters, Adam moments (for load / save) and the two gradient slots in
 * one SharedArrayBuffer (with the loss terms and the rng: torch generator state), the hand-off counters in another (Atomics.wait / notify). The main
 * thread blocks while the workers run a window. `dispose()` ends the workers (they are also
 * unref'ed, so a forgotten kernel does not keep the process alive).
 */
export class ThreadedKernel {
  readonly size: number;
  private readonly ctrl: Int32Array;
  private readonly shared: SharedArrayBuffer;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly slots = new Map<string, number>();
  private readonly terms: Float64Array;
  /** The PyTorch generator's state on its way to or from the workers (rng: torch). */
  private readonly torchShared: Uint32Array;
  private readonly parts: { offset: number; lanes: number }[];
  private gen = 0;
  private disposed = false;

  constructor(
    readonly arch: Architecture,
    readonly lanes: number,
    readonly maxSteps: number,
    size: number,
  ) {
    if (lanes < 2) throw new Error(`fused: two threads need at least 2 lanes (batch_size ${lanes})`);
    this.size = size;
    this.parts = laneSplit(lanes);
    const termsOffset = Math.ceil((5 * size * 4) / 8) * 8;
    this.shared = new SharedArrayBuffer(termsOffset + 6 * 8 + TORCH_STATE_WORDS * 4);
    this.terms = new Float64Array(this.shared, termsOffset, 6);
    this.torchShared = new Uint32Array(this.shared, termsOffset + 6 * 8, TORCH_STATE_WORDS);
    const control = new SharedArrayBuffer(8 * 4);
    this.ctrl = new Int32Array(control);
    const module = fusedModule();
    for (const [index, part] of this.parts.entries()) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_URL, {
        workerData: { module, arch: { ...arch }, lanes: part.lanes, maxSteps, total: lanes, offset: part.offset, index, control, shared: this.shared, size, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  private f32(slot: number): Float32Array {
    return new Float32Array(this.shared, slot * this.size * 4, this.size);
  }

  /** Send one command to each worker (cmds[k] to worker k) and wait until both are done. */
  private call(cmds: Record<string, unknown>[]): void {
    if (this.disposed) throw new Error('fused: threaded kernel used after dispose()');
    const gen = ++this.gen;
    for (const [k, cmd] of cmds.entries()) {
      this.ports[k]!.postMessage({ ...cmd, gen });
      Atomics.store(this.ctrl, REQ + k, gen);
      Atomics.notify(this.ctrl, REQ + k);
    }
    const deadline = performance.now() + TIMEOUT_MS;
    for (let k = 0; k < cmds.length; k++) {
      for (;;) {
        const done = Atomics.load(this.ctrl, DONE + k);
        if (done === gen) break;
        if (performance.now() > deadline) throw new Error(`fused: worker ${k} did not answer within ${TIMEOUT_MS / 1000} s`);
        Atomics.wait(this.ctrl, DONE + k, done, 1000);
      }
    }
    if (Atomics.load(this.ctrl, ERROR) !== 0) {
      const reports = this.ports.map((p) => receiveMessageOnPort(p)?.message as { error?: string } | undefined).filter((m) => m?.error);
      this.dispose();
      throw new Error(`fused: worker failed: ${reports.map((m) => m!.error).join('\n') || 'unknown error'}`);
    }
  }

  private both(cmd: Record<string, unknown>): void {
    this.call([cmd, cmd]);
  }

  /** Set parameters and Adam moments (copied to both workers). */
  load(params: Float32Array, m?: Float32Array, v?: Float32Array): void {
    this.f32(0).set(params);
    if (m) this.f32(1).set(m);
    else this.f32(1).fill(0);
    if (v) this.f32(2).set(v);
    else this.f32(2).fill(0);
    this.both({ op: 'load' });
  }

  private saved = -1;
  private save(): void {
    if (this.saved === this.gen) return;
    this.call([{ op: 'save' }]);
    this.saved = this.gen;
  }

  /** Parameters and Adam moments (worker 0's; both are identical). Copies. */
  get params(): Float32Array {
    this.save();
    return this.f32(0).slice();
  }
  get m(): Float32Array {
    this.save();
    return this.f32(1).slice();
  }
  get v(): Float32Array {
    this.save();
    return this.f32(2).slice();
  }

  /** As FusedKernel.setTorchStream: both workers draw the whole batch's stream (each keeps its lanes), so they stay together. */
  setTorchStream(state?: Uint32Array): void {
    if (state) this.torchShared.set(state);
    this.both({ op: 'torch', on: state !== undefined });
  }

  /** The PyTorch generator's state (worker 0's; both are at the same position). A copy. */
  get torchState(): Uint32Array {
    this.call([{ op: 'torch-save' }]);
    return this.torchShared.slice();
  }

  /** Hand each worker its lanes of a batchified series ([steps, lanes, C]); returns the handle used as `seq`. */
  loadSeries(slot: string, data: Float32Array): number {
    const C = this.arch.channels;
    const steps = data.length / (this.lanes * C);
    let handle = this.slots.get(slot);
    if (handle === undefined) {
      handle = this.slots.size;
      this.slots.set(slot, handle);
    }
    const cmds = this.parts.map(({ offset, lanes }) => {
      const part = new Float32Array(steps * lanes * C);
      for (let t = 0; t < steps; t++) part.set(data.subarray((t * this.lanes + offset) * C, (t * this.lanes + offset + lanes) * C), t * lanes * C);
      return { op: 'series', handle, data: part };
    });
    this.call(cmds);
    return handle;
  }

  resetState(): void {
    this.both({ op: 'reset' });
  }

  private checkLength(length: number): void {
    if (length < 1 || length > this.maxSteps) throw new Error(`fused: window of ${length} steps (max ${this.maxSteps})`);
  }

  private sumTerms(): Float64Array {
    const t = this.terms;
    return Float64Array.of(t[0]! + t[3]!, t[1]! + t[4]!, t[2]! + t[5]!);
  }

  /** Loss terms, summed gradient, clip + Adam in both workers; `step` is the new Adam step (1-based). */
  trainWindow(seq: number, start: number, length: number, dropout: number, maskSeed: number, adam: AdamConstants, step: number): Float64Array {
    this.checkLength(length);
    this.both({ op: 'train', seq, start, length, dropout, maskSeed: maskSeed >>> 0, adam, step });
    return this.sumTerms();
  }

  /** Eval-mode loss terms of a window (no dropout, no gradient); advances the carried state. */
  evalWindow(seq: number, start: number, length: number): Float64Array {
    this.checkLength(length);
    this.both({ op: 'eval', seq, start, length });
    return this.sumTerms();
  }

  /** Stop the workers (idempotent); resolves when both have exited. */
  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      const gen = ++this.gen;
      for (const [k, port] of this.ports.entries()) {
        port.postMessage({ op: 'quit', gen });
        Atomics.store(this.ctrl, REQ + k, gen);
        Atomics.notify(this.ctrl, REQ + k);
      }
      this.exited = Promise.all(this.workers.map((worker, k) => worker.terminate().finally(() => this.ports[k]!.close()))).then(() => undefined);
    }
    return this.exited!;
  }

  private exited?: Promise<void>;

  /** Thread ids of the live workers (tests: none after dispose). */
  get liveThreads(): number[] {
    return this.workers.filter((w) => w.threadId >= 0).map((w) => w.threadId);
  }
}
