// Linear memory: a bump allocator (nothing is freed: every buffer lives as long as the
// instance) and float-indexed pointer helpers used by every module.

let heapTop: usize = 0;

/** Bump allocation (16-byte aligned, zero-filled), growing the memory as needed. Never freed. */
export function alloc(bytes: i32): usize {
  if (heapTop == 0) heapTop = (__heap_base + 15) & ~(<usize>15);
  const ptr = heapTop;
  heapTop = (heapTop + <usize>bytes + 15) & ~(<usize>15);
  const needed = <i32>((heapTop + 0xffff) >> 16);
  const have = memory.size();
  if (needed > have) {
    if (memory.grow(needed - have) < 0) unreachable();
  }
  memory.fill(ptr, 0, <usize>bytes);
  return ptr;
}

/** Address of float number `index` of the buffer at `base`. */
@inline export function fp(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}
@inline export function ld(base: usize, index: i32): f32 {
  return load<f32>(base + (<usize>index << 2));
}
@inline export function st(base: usize, index: i32, value: f32): void {
  store<f32>(base + (<usize>index << 2), value);
}
/** A zeroed buffer of `count` floats. */
export function allocF(count: i32): usize {
  return alloc(count << 2);
}
