import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Anomalab,
  AnomalabError,
  createAnomalabContainer,
  FsRunStore,
  RunStoreToken,
  RUN_FILES,
  type RunRecord,
  type RunSummary,
} from '@anomalab/core';

const MIRROR = process.env.ANOMALAB_DATA_MIRROR ?? '/work/shared/datasets';
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anomalab-container-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A real file-system store that also records every run.json patch, in order. */
class RecordingRunStore extends FsRunStore {
  readonly patches: Partial<RunRecord>[] = [];
  override async update(id: string, patch: Partial<RunRecord>): Promise<RunSummary> {
    this.patches.push(patch);
    return super.update(id, patch);
  }
}

const QUICK = 'dataset: {name: synthetic, options: {length: 1200, channels: 2, period: 40, anomalies: 3}}\nmodel: {name: baselines}\n';

describe('the DI container', () => {
  it('runs the pipeline with a RunStore registered in place of the default one', async () => {
    const defaultRoot = tempDir();
    const store = new RecordingRunStore(tempDir());
    const container = createAnomalabContainer({ runsDir: defaultRoot });
    container.registerInstance(RunStoreToken, store);
    const app = await container.resolve(Anomalab).discover();
    expect(app.runs).toBe(store);

    const outcome = await app.run(await app.load({ text: QUICK }), { quiet: true });
    expect(outcome.run.status).toBe('completed');
    expect(outcome.run.dir).toBe(join(store.root, outcome.run.id));
    expect(existsSync(join(outcome.run.dir, RUN_FILES.results))).toBe(true);
    // Every status change of the run went through the registered store, in pipeline order.
    expect(store.patches.map((p) => p.status).filter(Boolean)).toEqual(['completed']);
    expect(store.patches.filter((p) => 'engine' in p)).toHaveLength(1);
    expect(store.patches.at(-1)?.metrics).toHaveProperty('joint');
    // Nothing was written to the default store's root.
    expect(existsSync(join(defaultRoot, outcome.run.id))).toBe(false);
  });

  it('hands --data-mirror to dataset plugins as a setting, not through the environment', async () => {
    const saved = process.env.ANOMALAB_DATA_MIRROR;
    delete process.env.ANOMALAB_DATA_MIRROR;
    try {
      const withMirror = createAnomalabContainer({ runsDir: tempDir(), dataMirror: MIRROR });
      const app = await withMirror.resolve(Anomalab).discover();
      expect(app.settings.dataMirror).toBe(MIRROR);
      const series = await app.loadSeries({ dataset: 'ecg', series: 'chfdb_chf13_45590' });
      expect(series.train.rows).toBe(2439);
      expect(process.env.ANOMALAB_DATA_MIRROR).toBeUndefined();

      const bogus = join(tempDir(), 'no-such-mirror');
      const wrong = await createAnomalabContainer({ runsDir: tempDir(), dataMirror: bogus }).resolve(Anomalab).discover();
      const error = await wrong.loadSeries({ dataset: 'ecg', series: 'chfdb_chf13_45590' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AnomalabError);
      expect((error as Error).message).toContain(bogus);
    } finally {
      if (saved === undefined) delete process.env.ANOMALAB_DATA_MIRROR;
      else process.env.ANOMALAB_DATA_MIRROR = saved;
    }
  });
});
