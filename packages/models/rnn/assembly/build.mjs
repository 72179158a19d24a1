// Rebuilds the fused engine's WebAssembly from its AssemblyScript sources (every .ts file
// in this folder and below, entry fused.ts) and records their hash next to it (checked by
// src/fused/wasm-build.test.ts).
//   node packages/models/rnn/assembly/build.mjs            rebuild build/fused.wasm + build/fused.meta.json
//   node packages/models/rnn/assembly/build.mjs --out DIR  build into DIR only (used by the test)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The kernel's source files (paths relative to this folder, '/'-separated, sorted); build/ holds outputs only. */
export function sources() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && path !== join(here, 'build')) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.ts')) found.push(relative(here, path).split(sep).join('/'));
    }
  };
  walk(here);
  return found.sort();
}
export const FLAGS = ['-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--use', 'abort=', '--initialMemory', '1'];

export function sourceHash() {
  const hash = createHash('sha256');
  for (const name of sources()) hash.update(`${name}\n`).update(readFileSync(join(here, name)));
  hash.update(FLAGS.join(' '));
  return hash.digest('hex');
}

export function build(outDir) {
  const require = createRequire(import.meta.url);
  const ascPkg = require.resolve('assemblyscript/package.json');
  const asc = join(dirname(ascPkg), 'bin', 'asc.js');
  const version = JSON.parse(readFileSync(ascPkg, 'utf8')).version;
  mkdirSync(outDir, { recursive: true });
  const wasmPath = join(outDir, 'fused.wasm');
  execFileSync(process.execPath, [asc, join(here, 'fused.ts'), ...FLAGS, '-o', wasmPath], { stdio: 'inherit' });
  const wasm = readFileSync(wasmPath);
  const meta = {
    source_sha256: sourceHash(),
    wasm_sha256: createHash('sha256').update(wasm).digest('hex'),
    assemblyscript: version,
    flags: FLAGS,
  };
  writeFileSync(join(outDir, 'fused.meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : join(here, 'build');
  const meta = build(out);
  console.log(`built ${join(out, 'fused.wasm')} (source ${meta.source_sha256.slice(0, 12)}, wasm ${meta.wasm_sha256.slice(0, 12)})`);
}
