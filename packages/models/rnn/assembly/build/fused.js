export async function instantiate(module, imports = {}) {
  const { exports } = await WebAssembly.instantiate(module, imports);
  const memory = exports.memory || imports.env.memory;
  const adaptedExports = Object.setPrototypeOf({
    init(c, e, h, n, cell, residual, b, lmax) {
      // fused/init(i32, i32, i32, i32, i32, bool, i32, i32) => i32
      residual = residual ? 1 : 0;
      return exports.init(c, e, h, n, cell, residual, b, lmax);
    },
    setTorchMasks(on) {
      // fused/setTorchMasks(bool) => void
      on = on ? 1 : 0;
      exports.setTorchMasks(on);
    },
    torchStatePtr() {
      // fused/torchStatePtr() => usize
      return exports.torchStatePtr() >>> 0;
    },
    masksPtr() {
      // fused/masksPtr() => usize
      return exports.masksPtr() >>> 0;
    },
    paramsPtr() {
      // fused/paramsPtr() => usize
      return exports.paramsPtr() >>> 0;
    },
    gradPtr() {
      // fused/gradPtr() => usize
      return exports.gradPtr() >>> 0;
    },
    adamMPtr() {
      // fused/adamMPtr() => usize
      return exports.adamMPtr() >>> 0;
    },
    adamVPtr() {
      // fused/adamVPtr() => usize
      return exports.adamVPtr() >>> 0;
    },
    statePtr() {
      // fused/statePtr() => usize
      return exports.statePtr() >>> 0;
    },
    termsPtr() {
      // fused/termsPtr() => usize
      return exports.termsPtr() >>> 0;
    },
    freezeHiddenTargets(L, on) {
      // fused/freezeHiddenTargets(i32, bool) => void
      on = on ? 1 : 0;
      exports.freezeHiddenTargets(L, on);
    },
    forecastInit(chunk, horizon) {
      // fused/forecastInit(i32, i32) => usize
      return exports.forecastInit(chunk, horizon) >>> 0;
    },
    forecastInputPtr() {
      // fused/forecastInputPtr() => usize
      return exports.forecastInputPtr() >>> 0;
    },
    forecastStatePtr() {
      // fused/forecastStatePtr() => usize
      return exports.forecastStatePtr() >>> 0;
    },
    alloc(bytes) {
      // memory/alloc(i32) => usize
      return exports.alloc(bytes) >>> 0;
    },
  }, exports);
  return adaptedExports;
}
