// Types of ./kernel-build.mjs.
export interface KernelSpec {
  /** The kernel's source folder (absolute). */
  dir: string;
  /** Entry file, relative to dir. */
  entry: string;
  /** Output base name: build/<name>.wasm, .d.ts, .js, .meta.json. */
  name: string;
  /** asc flags (part of the source hash). */
  flags: string[];
}

export interface KernelMeta {
  source_sha256: string;
  wasm_sha256: string;
  outputs: Record<string, string>;
  assemblyscript: string;
  flags: string[];
}

export interface Kernel extends KernelSpec {
  buildDir: string;
  outputs: string[];
  sources(): string[];
  sourceHash(): string;
  build(outDir?: string): KernelMeta;
  /** Problems with the committed build (empty: it belongs to the current sources). */
  check(): string[];
  /** Outputs of a fresh build (temp folder) that differ from the committed ones. */
  rebuildDiffers(): string[];
  /** Exported function name -> parameter count, as declared by the committed typings. */
  declaredFunctions(): Record<string, number>;
  main(argv?: string[]): void;
}

export function defineKernel(spec: KernelSpec): Kernel;
export function exportedFunctions(module: WebAssembly.Module, imports?: WebAssembly.Imports): Record<string, number>;
export function isMain(metaUrl: string): boolean;
