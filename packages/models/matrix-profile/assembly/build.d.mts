// Types of ./build.mjs.
import type { Kernel } from '@anomalab/wasm-kernel';

export declare const kernel: Kernel;
