import { describe, expect, it, beforeAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { createAnomalab, isMatrixExperiment, planSweep, type Anomalab } from '@anomalab/core';

const root = join(import.meta.dirname, '..', '..');
const experimentsDir = join(root, 'experiments');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

/** Every shipped experiment file validates (a matrix file: every one of its runs). */
describe('experiments/', () => {
  let app: Anomalab;
  beforeAll(async () => {
    app = await createAnomalab({ root });
  });
  const files = yamlFiles(experimentsDir);

  it('holds the quickstart, the benchmark sweeps and one reference file per labelled series', () => {
    const names = files.map((f) => relative(experimentsDir, f));
    expect(names).toEqual(expect.arrayContaining(['quickstart.yaml', 'benchmark.yaml', 'benchmark-smoke.yaml', 'ecg-chfdb_chf13_45590.yaml', 'ecg-smoke.yaml']));
    expect(names.filter((n) => n.startsWith('reference/'))).toHaveLength(17);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s is valid', async (_label, file) => {
    if (isMatrixExperiment(parse(readFileSync(file, 'utf8')))) {
      const plan = await planSweep(file);
      for (const entry of plan.entries) await app.load({ file, text: JSON.stringify(entry.config) });
      expect(plan.entries.length).toBeGreaterThan(1);
    } else {
      const loaded = await app.load({ file });
      expect(loaded.config.dataset.name).toBeTruthy();
    }
  });
});
