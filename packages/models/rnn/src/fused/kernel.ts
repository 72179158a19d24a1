import { readFileSync } from 'node:fs';
import type { Architecture } from '../rnn-model.ts';
import { CELL_CODES, type FusedExports } from './forecast-kernel.ts';
import { TORCH_STATE_WORDS } from '../torch-random.ts';

/** The committed build of ../../assembly/ (entry fused.ts; rebuild: node packages/models/rnn/assembly/build.mjs). */
export const WASM_URL = new URL('../../assembly/build/fused.wasm', import.meta.url);

let compiled: WebAssembly.Module | undefined;

/** The compiled module, read from WASM_URL (once per process; every kernel is an instance with its own memory). Node only; the browser-safe forecast path is ./forecast-kernel.ts. */
export function fusedModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(WASM_URL));
  return compiled;
}

export interface AdamConstants {
  lr: number;
  weightDecay: number;
  clip: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * One instance of the fused WebAssembly engine for an architecture, `lanes` lanes per lane
 * group (the free-running and the teacher-forced group: 2 x lanes rows) and windows of at
 * most `maxSteps` steps. All buffers are allocated by the constructor; series are copied in
 * once (`loadSeries`) and windows are addressed by their start row.
 */
export class FusedKernel {
  readonly size: number;
  /** Loss terms per window (the kernel's TERMS): free_running, teacher_forcing, hidden. */
  readonly termCount: number;
  private readonly x: FusedExports;
  private readonly slots = new Map<string, { ptr: number; capacity: number }>();

  constructor(
    readonly arch: Architecture,
    readonly lanes: number,
    readonly maxSteps: number,
  ) {
    this.x = new WebAssembly.Instance(fusedModule(), {}).exports as unknown as FusedExports;
    this.size = this.x.init(arch.channels, arch.embedding, arch.hidden, arch.layers, CELL_CODES[arch.cell], arch.residual, lanes, maxSteps);
    this.termCount = this.x.termCount();
  }

  private f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.x.memory.buffer, ptr, length);
  }

  /** Live views into the instance memory (do not keep across calls that may grow memory). */
  get params(): Float32Array {
    return this.f32(this.x.paramsPtr(), this.size);
  }
  get grad(): Float32Array {
    return this.f32(this.x.gradPtr(), this.size);
  }
  get m(): Float32Array {
    return this.f32(this.x.adamMPtr(), this.size);
  }
  get v(): Float32Array {
    return this.f32(this.x.adamVPtr(), this.size);
  }
  /** Carried state: per layer [h; c], each [lanes, H] (c unused except for LSTM). */
  get state(): Float32Array {
    return this.f32(this.x.statePtr(), this.arch.layers * 2 * this.lanes * this.arch.hidden);
  }

  /** Size of the instance's linear memory (grows only while buffers are allocated). */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Set parameters and Adam moments (copies). */
  load(params: Float32Array, m?: Float32Array, v?: Float32Array): void {
    this.params.set(params);
    this.m.set(m ?? new Float32Array(this.size));
    this.v.set(v ?? new Float32Array(this.size));
    this.x.prepare();
  }

  /** Copy a batchified series ([steps, lanes, C]) into the instance under `slot`; returns its address. Reuses the slot's buffer when it is large enough. */
  loadSeries(slot: string, data: Float32Array): number {
    let entry = this.slots.get(slot);
    if (!entry || entry.capacity < data.length) {
      entry = { ptr: this.x.alloc(data.length * 4), capacity: data.length };
      this.slots.set(slot, entry);
    }
    this.f32(entry.ptr, data.length).set(data);
    return entry.ptr;
  }

  resetState(): void {
    this.x.resetState();
  }

  /**
   * Make this kernel the lanes [offset, offset + lanes) of a batch of `total` lanes (two
   * threads, ./threads.ts): loss means over all `total` lanes, so the parts' terms and
   * gradients sum to the full batch's; dropout masks of those lanes of the full batch.
   * The series given to `loadSeries` holds only this kernel's lanes.
   */
  setLaneSplit(total: number, offset: number): void {
    if (offset < 0 || offset + this.lanes > total) throw new Error(`fused: lanes [${offset}, ${offset + this.lanes}) outside a batch of ${total}`);
    this.x.setLaneSplit(total, offset);
  }

  private checkLength(length: number): void {
    if (length < 1 || length > this.maxSteps) throw new Error(`fused: window of ${length} steps (max ${this.maxSteps})`);
  }

  private terms(): Float64Array {
    return new Float64Array(this.x.memory.buffer, this.x.termsPtr(), this.termCount).slice();
  }

  /** Loss terms [free_running, teacher_forcing, hidden] and the gradient (-> `grad`); advances the carried state. */
  lossAndGrad(seq: number, start: number, length: number, dropout: number, maskSeed: number): Float64Array {
    this.checkLength(length);
    this.x.lossAndGrad(seq, start, length, dropout, maskSeed >>> 0);
    return this.terms();
  }

  /** Clip + L2 + Adam update with the gradient in `grad`; `step` is the new Adam step (1-based). */
  adamUpdate(adam: AdamConstants, step: number): void {
    this.x.adamUpdate(adam.lr, adam.weightDecay, adam.clip, adam.beta1, adam.beta2, adam.epsilon, step);
  }

  /** lossAndGrad + adamUpdate in one call. */
  trainWindow(seq: number, start: number, length: number, dropout: number, maskSeed: number, adam: AdamConstants, step: number): Float64Array {
    this.checkLength(length);
    this.x.trainWindow(seq, start, length, dropout, maskSeed >>> 0, adam.lr, adam.weightDecay, adam.clip, adam.beta1, adam.beta2, adam.epsilon, step);
    return this.terms();
  }

  /**
   * rng: torch: the training windows' dropout masks come from PyTorch's generator, starting
   * at `state` (TorchGenerator.state(), copied in) and advanced by every window; undefined:
   * rng: counter, mulberry32 from each window's maskSeed.
   */
  setTorchStream(state?: Uint32Array): void {
    this.x.setTorchMasks(state !== undefined);
    if (state) new Uint32Array(this.x.memory.buffer, this.x.torchStatePtr(), TORCH_STATE_WORDS).set(state);
  }

  /** The PyTorch generator's state now (a copy; see setTorchStream). */
  get torchState(): Uint32Array {
    return new Uint32Array(this.x.memory.buffer, this.x.torchStatePtr(), TORCH_STATE_WORDS).slice();
  }

  /** Tests: the dropout masks of the last training window of `length` steps, [length, sites, 2 x lanes, width] (a copy). */
  lastMasks(length: number): Float32Array {
    const { embedding: E, hidden: H, layers } = this.arch;
    return this.f32(this.x.masksPtr(), length * 2 * this.lanes * (E + layers * H)).slice();
  }

  /** Tests: freeze the hidden-matching targets (h2) of the last forward pass of `length` steps (on), or release them. */
  freezeHiddenTargets(length: number, on: boolean): void {
    this.x.freezeHiddenTargets(length, on);
  }

  /** Eval-mode loss terms of a window (no dropout, no gradient); advances the carried state. */
  evalWindow(seq: number, start: number, length: number): Float64Array {
    this.checkLength(length);
    this.x.evalWindow(seq, start, length);
    return this.terms();
  }
}
