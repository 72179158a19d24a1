declare namespace __AdaptedExports {
  /** Exported memory */
  export const memory: WebAssembly.Memory;
  /**
   * mp/alloc
   * @param bytes `i32`
   * @returns `usize`
   */
  export function alloc(bytes: number): number;
  /**
   * mp/reset
   */
  export function reset(): void;
  /**
   * mp/abJoin
   * @param m `i32`
   * @param nA `i32`
   * @param nB `i32`
   * @param a `usize`
   * @param muA `usize`
   * @param invnA `usize`
   * @param dfA `usize`
   * @param dgA `usize`
   * @param b `usize`
   * @param muB `usize`
   * @param invnB `usize`
   * @param dfB `usize`
   * @param dgB `usize`
   * @param profA `usize`
   */
  export function abJoin(m: number, nA: number, nB: number, a: number, muA: number, invnA: number, dfA: number, dgA: number, b: number, muB: number, invnB: number, dfB: number, dgB: number, profA: number): void;
  /**
   * mp/selfJoin
   * @param m `i32`
   * @param n `i32`
   * @param excl `i32`
   * @param t `usize`
   * @param mu `usize`
   * @param invn `usize`
   * @param df `usize`
   * @param dg `usize`
   * @param prof `usize`
   */
  export function selfJoin(m: number, n: number, excl: number, t: number, mu: number, invn: number, df: number, dg: number, prof: number): void;
}
/** Instantiates the compiled WebAssembly module with the given imports. */
export declare function instantiate(module: WebAssembly.Module, imports: {
}): Promise<typeof __AdaptedExports>;
