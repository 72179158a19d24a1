// Fused recurrent engine (AssemblyScript -> WebAssembly with 128-bit SIMD): the module's
// exports. One training window of the reference's three-term loss: the free-running and
// the teacher-forced lanes together, encoder, all layers, decoder, the loss terms, BPTT,
// global-norm clipping and the Adam update with L2 weight decay, over buffers allocated
// once (`init`). Same equations, parameter layout and dropout masks as the tfjs path in
// ../src (rnn-model.ts, cells.ts, dropout.ts, adam.ts); the JS side is
// ../src/fused/kernel.ts (training) and ../src/fused/forecast-kernel.ts (forecast, streams;
// browser-safe), whose declarations are generated from these exports (build/).
//
// Modules: memory.ts (bump allocator, pointer helpers), math.ts (SIMD exp/sigmoid/tanh),
// gemm.ts (dense products), rows.ts (masked row copies), layout.ts (sizes, parameter
// offsets, buffers), cells.ts + cells/*.ts (one file per cell type), dropout.ts, loss.ts
// (terms and gradient), network.ts (forward / backward over a window), adam.ts,
// forecast.ts. Build: `npm run build:wasm -w @anomalab/model-rnn` (./build.mjs).
import { allocate, Dims, Lanes, layer, Params, Win } from './layout';
import { cellAllocate, cellGates } from './cells';
import { drawMasks } from './dropout';
import { drawTorchMasks, torchStreamAllocate, TorchStream } from './torch-random';
import { freezeHiddenTargets as freezeTargets, Loss, lossAllocate, TERMS } from './loss';
import { backwardWindow, forwardWindow, prepare as prepareWeights, resetState as resetCarried } from './network';
import { adamStep } from './adam';
import { forecastAllocate, forecastFree, forecastInput, forecastReset, forecastRows, forecastState, forecastTeacher } from './forecast';

export { alloc } from './memory';

/**
 * Sizes, then every buffer of a window of up to `lmax` steps and `b` lanes per lane group
 * (cell codes: ./layout.ts). Parameter layout = parameterLayout() of ../src/rnn-model.ts.
 * Returns the number of parameters.
 */
export function init(c: i32, e: i32, h: i32, n: i32, cell: i32, residual: bool, b: i32, lmax: i32): i32 {
  const count = allocate(c, e, h, n, cell, cellGates(cell), residual, b, lmax);
  lossAllocate(lmax);
  for (let l = 0; l < n; l++) cellAllocate(layer(l), lmax, 2 * b);
  torchStreamAllocate();
  return count;
}

/**
 * Where the training windows' dropout masks come from: false (rng: counter) mulberry32 from
 * each call's maskSeed; true (rng: torch) the PyTorch generator at torchStatePtr, advanced
 * by every window (./torch-random.ts).
 */
export function setTorchMasks(on: bool): void {
  TorchStream.on = on;
}
/** The PyTorch generator's state: 625 u32, [read position, mt19937's 624 words]. */
export function torchStatePtr(): usize { return TorchStream.state; }
/** Tests: the last training window's dropout masks, [L, sites, P, width] f32. */
export function masksPtr(): usize { return Win.masks; }

/** This instance computes lanes [offset, offset + b) of a batch of `total` lanes (see Lanes). */
export function setLaneSplit(total: i32, offset: i32): void {
  Lanes.total = total;
  Lanes.offset = offset;
}

export function paramsPtr(): usize { return Params.values; }
export function gradPtr(): usize { return Params.grad; }
export function adamMPtr(): usize { return Params.adamM; }
export function adamVPtr(): usize { return Params.adamV; }
export function statePtr(): usize { return Win.state; }
export function termsPtr(): usize { return Loss.terms; }
/** Number of f64 loss terms at termsPtr (./loss.ts). */
export function termCount(): i32 { return TERMS; }

/** Derived weights after a parameter change: transposes and summed biases. */
export function prepare(): void {
  prepareWeights();
}

/** Carried state (teacher-forced lanes of the last window) to zeros. */
export function resetState(): void {
  resetCarried();
}

/** PyTorch's clip_grad_norm_ then Adam with the L2 term added to the (clipped) gradient. */
export function adamUpdate(lr: f64, weightDecay: f64, clip: f64, beta1: f64, beta2: f64, eps: f64, step: i32): void {
  adamStep(lr, weightDecay, clip, beta1, beta2, eps, step);
  prepareWeights();
}

/**
 * For the numerical gradient check: copy the teacher-forced lanes' top outputs (h2) of the
 * last forward pass, and (on) use that copy as the hidden-matching target of later passes,
 * i.e. the stop-gradient target held fixed while the parameters are perturbed.
 */
export function freezeHiddenTargets(L: i32, on: bool): void {
  freezeTargets(L, on);
}

/**
 * Loss terms (-> termsPtr, f64 x3) and gradient (-> gradPtr) of one window of `L` steps
 * of the batchified series at `seq` ([steps, B, C]) starting at row `start`, from the
 * carried state; the state is then advanced. dropout > 0 draws the masks from `maskSeed`
 * (or, after setTorchMasks(true), from the PyTorch generator).
 */
export function lossAndGrad(seq: usize, start: i32, L: i32, dropout: f64, maskSeed: u32): void {
  const useMasks = dropout > 0;
  if (useMasks) {
    if (TorchStream.on) drawTorchMasks(L, dropout);
    else drawMasks(L, dropout, maskSeed);
  }
  forwardWindow(seq, start, L, useMasks);
  backwardWindow(seq, start, L, useMasks);
}

/** A training window: lossAndGrad + clip + Adam (step = the new Adam step, from 1). */
export function trainWindow(seq: usize, start: i32, L: i32, dropout: f64, maskSeed: u32, lr: f64, weightDecay: f64, clip: f64, beta1: f64, beta2: f64, eps: f64, step: i32): void {
  lossAndGrad(seq, start, L, dropout, maskSeed);
  adamUpdate(lr, weightDecay, clip, beta1, beta2, eps, step);
}

/** Eval-mode loss of one window (no dropout, no gradient); the state is advanced. */
export function evalWindow(seq: usize, start: i32, L: i32): void {
  forwardWindow(seq, start, L, false);
}

/** Buffers of the batched forecast: `chunk` rows at a time, `horizon` steps. Once per kernel; returns the output's address. */
export function forecastInit(chunk: i32, horizon: i32): usize {
  return forecastAllocate(chunk, horizon);
}
export function forecastInputPtr(): usize { return forecastInput(); }
/**
 * The state the next forecastChunk starts from (per layer [h; c], each [H] floats): set by
 * forecastResetState (zeros) and left after a chunk's last row. A stream restores its own
 * copy here, runs forecastChunk(1) and saves it back, so streams share one instance.
 */
export function forecastStatePtr(): usize { return forecastState(); }
export function forecastResetState(): void {
  forecastReset();
}

/**
 * Reference section 5 for `n` <= chunk rows (at forecastInputPtr, [n, C]): a teacher-forced
 * pass (one row at a time, carrying the forecast state) records each row's 1-step
 * prediction and state, then horizon - 1 free-running steps for all n rows at once.
 * Output at forecastInit's address: [(t * horizon + k - 1) * C + c].
 */
export function forecastChunk(n: i32): void {
  forecastRows(n);
}

/**
 * forecastChunk in two parts, for splitting the rows over two instances: the teacher-forced
 * pass over all `n` rows (advances the forecast state; output k = 1 of every row) ...
 */
export function forecastTeacherPass(n: i32): void {
  forecastTeacher(n);
}

/**
 * ... then the free-running steps (output k >= 2) of rows [from, to) of that pass. Rows are
 * independent: forecastTeacherPass(n) + forecastFreeRows over ranges covering [0, n) gives
 * forecastChunk(n)'s bits.
 */
export function forecastFreeRows(from: i32, to: i32): void {
  forecastFree(from, to);
}
