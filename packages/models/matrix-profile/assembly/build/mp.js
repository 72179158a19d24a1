export async function instantiate(module, imports = {}) {
  const { exports } = await WebAssembly.instantiate(module, imports);
  const memory = exports.memory || imports.env.memory;
  const adaptedExports = Object.setPrototypeOf({
    alloc(bytes) {
      // mp/alloc(i32) => usize
      return exports.alloc(bytes) >>> 0;
    },
  }, exports);
  return adaptedExports;
}
