// Rebuilds the matrix profile engine's WebAssembly from its AssemblyScript source and
// records the source hash next to it (checked by src/wasm-build.test.ts).
//   node packages/models/matrix-profile/assembly/build.mjs            rebuild build/mp.wasm + build/mp.meta.json
//   node packages/models/matrix-profile/assembly/build.mjs --out DIR  build into DIR only (used by the test)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCES = ['mp.ts'];
export const FLAGS = ['-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--use', 'abort=', '--initialMemory', '1'];

export function sourceHash() {
  const hash = createHash('sha256');
  for (const name of SOURCES) hash.update(`${name}\n`).update(readFileSync(join(here, name)));
  hash.update(FLAGS.join(' '));
  return hash.digest('hex');
}

export function build(outDir) {
  const require = createRequire(import.meta.url);
  const ascPkg = require.resolve('assemblyscript/package.json');
  const asc = join(dirname(ascPkg), 'bin', 'asc.js');
  const version = JSON.parse(readFileSync(ascPkg, 'utf8')).version;
  mkdirSync(outDir, { recursive: true });
  const wasmPath = join(outDir, 'mp.wasm');
  execFileSync(process.execPath, [asc, join(here, 'mp.ts'), ...FLAGS, '-o', wasmPath], { stdio: 'inherit' });
  const wasm = readFileSync(wasmPath);
  const meta = {
    source_sha256: sourceHash(),
    wasm_sha256: createHash('sha256').update(wasm).digest('hex'),
    assemblyscript: version,
    flags: FLAGS,
  };
  writeFileSync(join(outDir, 'mp.meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : join(here, 'build');
  const meta = build(out);
  console.log(`built ${join(out, 'mp.wasm')} (source ${meta.source_sha256.slice(0, 12)}, wasm ${meta.wasm_sha256.slice(0, 12)})`);
}
