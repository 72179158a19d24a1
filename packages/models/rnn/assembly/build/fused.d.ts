declare namespace __AdaptedExports {
  /** Exported memory */
  export const memory: WebAssembly.Memory;
  /**
   * fused/init
   * @param c `i32`
   * @param e `i32`
   * @param h `i32`
   * @param n `i32`
   * @param cell `i32`
   * @param residual `bool`
   * @param b `i32`
   * @param lmax `i32`
   * @returns `i32`
   */
  export function init(c: number, e: number, h: number, n: number, cell: number, residual: boolean, b: number, lmax: number): number;
  /**
   * fused/setTorchMasks
   * @param on `bool`
   */
  export function setTorchMasks(on: boolean): void;
  /**
   * fused/torchStatePtr
   * @returns `usize`
   */
  export function torchStatePtr(): number;
  /**
   * fused/masksPtr
   * @returns `usize`
   */
  export function masksPtr(): number;
  /**
   * fused/setLaneSplit
   * @param total `i32`
   * @param offset `i32`
   */
  export function setLaneSplit(total: number, offset: number): void;
  /**
   * fused/paramsPtr
   * @returns `usize`
   */
  export function paramsPtr(): number;
  /**
   * fused/gradPtr
   * @returns `usize`
   */
  export function gradPtr(): number;
  /**
   * fused/adamMPtr
   * @returns `usize`
   */
  export function adamMPtr(): number;
  /**
   * fused/adamVPtr
   * @returns `usize`
   */
  export function adamVPtr(): number;
  /**
   * fused/statePtr
   * @returns `usize`
   */
  export function statePtr(): number;
  /**
   * fused/termsPtr
   * @returns `usize`
   */
  export function termsPtr(): number;
  /**
   * fused/termCount
   * @returns `i32`
   */
  export function termCount(): number;
  /**
   * fused/prepare
   */
  export function prepare(): void;
  /**
   * fused/resetState
   */
  export function resetState(): void;
  /**
   * fused/adamUpdate
   * @param lr `f64`
   * @param weightDecay `f64`
   * @param clip `f64`
   * @param beta1 `f64`
   * @param beta2 `f64`
   * @param eps `f64`
   * @param step `i32`
   */
  export function adamUpdate(lr: number, weightDecay: number, clip: number, beta1: number, beta2: number, eps: number, step: number): void;
  /**
   * fused/freezeHiddenTargets
   * @param L `i32`
   * @param on `bool`
   */
  export function freezeHiddenTargets(L: number, on: boolean): void;
  /**
   * fused/lossAndGrad
   * @param seq `usize`
   * @param start `i32`
   * @param L `i32`
   * @param dropout `f64`
   * @param maskSeed `u32`
   */
  export function lossAndGrad(seq: number, start: number, L: number, dropout: number, maskSeed: number): void;
  /**
   * fused/trainWindow
   * @param seq `usize`
   * @param start `i32`
   * @param L `i32`
   * @param dropout `f64`
   * @param maskSeed `u32`
   * @param lr `f64`
   * @param weightDecay `f64`
   * @param clip `f64`
   * @param beta1 `f64`
   * @param beta2 `f64`
   * @param eps `f64`
   * @param step `i32`
   */
  export function trainWindow(seq: number, start: number, L: number, dropout: number, maskSeed: number, lr: number, weightDecay: number, clip: number, beta1: number, beta2: number, eps: number, step: number): void;
  /**
   * fused/evalWindow
   * @param seq `usize`
   * @param start `i32`
   * @param L `i32`
   */
  export function evalWindow(seq: number, start: number, L: number): void;
  /**
   * fused/forecastInit
   * @param chunk `i32`
   * @param horizon `i32`
   * @returns `usize`
   */
  export function forecastInit(chunk: number, horizon: number): number;
  /**
   * fused/forecastInputPtr
   * @returns `usize`
   */
  export function forecastInputPtr(): number;
  /**
   * fused/forecastStatePtr
   * @returns `usize`
   */
  export function forecastStatePtr(): number;
  /**
   * fused/forecastResetState
   */
  export function forecastResetState(): void;
  /**
   * fused/forecastChunk
   * @param n `i32`
   */
  export function forecastChunk(n: number): void;
  /**
   * fused/forecastTeacherPass
   * @param n `i32`
   */
  export function forecastTeacherPass(n: number): void;
  /**
   * fused/forecastFreeRows
   * @param from `i32`
   * @param to `i32`
   */
  export function forecastFreeRows(from: number, to: number): void;
  /**
   * memory/alloc
   * @param bytes `i32`
   * @returns `usize`
   */
  export function alloc(bytes: number): number;
}
/** Instantiates the compiled WebAssembly module with the given imports. */
export declare function instantiate(module: WebAssembly.Module, imports: {
}): Promise<typeof __AdaptedExports>;
