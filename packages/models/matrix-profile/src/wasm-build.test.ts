import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain .mjs build script without types
import { build, sourceHash } from '../assembly/build.mjs';
import { WASM_URL } from './kernel.ts';

const metaPath = fileURLToPath(new URL('../assembly/build/mp.meta.json', import.meta.url));

describe('committed mp.wasm', () => {
  it('was built from the current AssemblyScript source (recorded hash) and is the recorded binary', () => {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    expect(meta.source_sha256, 'assembly/mp.ts changed: run node packages/models/matrix-profile/assembly/build.mjs and commit build/').toBe(sourceHash());
    expect(createHash('sha256').update(readFileSync(WASM_URL)).digest('hex')).toBe(meta.wasm_sha256);
  });

  it('rebuilds byte-identically with the installed assemblyscript', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-wasm-'));
    try {
      const meta = build(dir);
      const committed = JSON.parse(readFileSync(metaPath, 'utf8'));
      expect(
        readFileSync(join(dir, 'mp.wasm')).equals(readFileSync(WASM_URL)),
        `rebuilt mp.wasm differs from the committed one (committed with assemblyscript ${committed.assemblyscript}, installed ${meta.assemblyscript}): run node packages/models/matrix-profile/assembly/build.mjs and commit build/`,
      ).toBe(true);
      expect(meta.source_sha256).toBe(sourceHash());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
