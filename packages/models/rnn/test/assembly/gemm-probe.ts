// Test probe for src/fused/gemm-order.test.ts: the fused kernel's dense products
// (../../assembly/gemm.ts) exported one by one, compiled by the test with the kernel's flags.
// Outside assembly/, so it is not part of the kernel's sources (nor of its hash).
export { alloc } from '../../assembly/memory';
export { gemm, gemmPanels, gemmTN, pack8, reservePackedRows } from '../../assembly/gemm';
