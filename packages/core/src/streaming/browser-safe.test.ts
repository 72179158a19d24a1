// The stream session is bundled into a browser page: it and everything it imports must be
// plain TypeScript with relative runtime imports only (no node: modules, no npm packages).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const core = join(import.meta.dirname, '..');

/** Every module reachable from `entry` through runtime imports (`import type` is erased), with their specifiers. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s(?!type\s)(?:[^;]*?from\s+)?'([^']+)'/gms)].map((m) => m[1]!);
    graph.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith('.')) visit(join(dirname(file), s));
  };
  visit(entry);
  return graph;
}

describe('streaming/stream-session.ts', () => {
  it('imports nothing but relative modules of core, transitively', () => {
    const graph = importGraph(join(core, 'streaming', 'stream-session.ts'));
    const outside = [...graph].flatMap(([file, specifiers]) => specifiers.filter((s) => !s.startsWith('.')).map((s) => `${relative(core, file)}: ${s}`));
    expect(outside).toEqual([]);
    // The walk really followed the imports (the session uses the shared error and standardisation code).
    expect([...graph.keys()].map((f) => relative(core, f)).sort()).toEqual(expect.arrayContaining(['detection/forecast-errors.ts', 'pipeline/standardize.ts', 'errors.ts']));
  });
});

describe('browser.ts (@anomalab/core/browser)', () => {
  it('imports nothing but relative modules of core, transitively, and reaches the stream package and the Gaussian detector', () => {
    const graph = importGraph(join(core, 'browser.ts'));
    const outside = [...graph].flatMap(([file, specifiers]) => specifiers.filter((s) => !s.startsWith('.')).map((s) => `${relative(core, file)}: ${s}`));
    expect(outside).toEqual([]);
    expect([...graph.keys()].map((f) => relative(core, f)).sort()).toEqual(expect.arrayContaining(['streaming/stream-package.ts', 'detection/gaussian-detector.ts', 'training/flat-state.ts']));
  });
});
