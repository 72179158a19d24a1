import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import { ConfigError, createAnomalab, formatProblem, type Anomalab } from '@anomalab/core';

const fixture = join(import.meta.dirname, '..', 'e2e', '__fixtures__', 'invalid-experiment.yaml');

async function problemsOf(app: Anomalab, text: string, overrides: string[] = []): Promise<string[]> {
  try {
    await app.load({ file: 'exp.yaml', text, overrides });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map(formatProblem);
  }
  throw new Error('expected a ConfigError');
}

describe('experiment validation', () => {
  let app: Anomalab;
  beforeAll(async () => {
    app = await createAnomalab();
  });

  it('composes the schema from core and the selected plugins, applying every default', async () => {
    const loaded = await app.load({ file: 'exp.yaml', text: 'dataset: {name: synthetic}\nmodel: {name: baselines}\n' });
    const props = (loaded.schema as any).properties;
    // The selected plugins' option schemas are slotted in, strict.
    expect(props.dataset.properties.options.properties.length.default).toBe(4000);
    expect(props.dataset.properties.options.additionalProperties).toBe(false);
    expect(props.model.properties.options.properties.method.enum).toEqual(['last-value', 'seasonal-naive']);
    expect(loaded.config).toMatchObject({
      name: 'exp',
      seed: 1111,
      plugins: [],
      dataset: { name: 'synthetic', options: { length: 4000, channels: 2, train_fraction: 0.5, period: 50, anomalies: 8, seed: 7 } },
      model: { name: 'baselines', options: { method: 'seasonal-naive', period: 0, max_period: 500 } },
      // The model's training defaults replace the core's.
      training: { epochs: 1, save_interval: 10 },
      detector: { name: 'gaussian', window: 10, weights: 'final', options: { joint: true } },
      evaluation: { beta: 1 },
      preprocess: { standardize: true },
    });
  });

  it('reports every problem with file:line:col and the YAML path', async () => {
    const text = [
      'name: broken', //              1
      'dataset:', //                  2
      '  name: synthetic', //         3
      '  options:', //                4
      '    lenght: 3000', //          5
      'model:', //                    6
      '  name: baselinez', //         7
      'training:', //                 8
      '  epochs: five', //            9
    ].join('\n');
    const problems = await problemsOf(app, text);
    expect(problems).toEqual([
      'exp.yaml:5:5: dataset.options.lenght: unknown key "lenght"; did you mean "length"?',
      expect.stringMatching(/^exp\.yaml:7:9: model\.name: unknown model "baselinez"; available: .*baselines/),
      'exp.yaml:9:11: training.epochs: must be integer, got string "five"',
    ]);
  });

  it('names available plugins for an unknown dataset and detector', async () => {
    const problems = await problemsOf(app, 'dataset: {name: nope}\nmodel: {name: baselines}\ndetector: {name: magic}\n');
    expect(problems[0]).toMatch(/^exp\.yaml:1:17: dataset\.name: unknown dataset "nope"; available: (.*, )?synthetic/);
    expect(problems[1]).toMatch(/^exp\.yaml:3:18: detector\.name: unknown detector "magic"; available: gaussian$/);
  });

  it('reports unknown top-level keys, missing sections, enum and range violations together', async () => {
    const problems = await problemsOf(app, 'modle: {name: baselines}\ndataset: {name: synthetic, options: {channels: 0}}\ndetector: {weights: newest}\n');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^exp\.yaml:1:1: modle: unknown key "modle"; did you mean "model"\?$/),
        'exp.yaml:1:1: (root): missing required key "model"',
        'exp.yaml:2:48: dataset.options.channels: must be >= 1, got number 0',
        'exp.yaml:3:21: detector.weights: must be one of "final", "best", got string "newest"',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('reports YAML syntax errors with their position', async () => {
    const problems = await problemsOf(app, 'dataset:\n  name: synthetic\n   bad: [1, 2\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^exp\.yaml:\d+:\d+: \(yaml\): /);
  });

  it('applies --set overrides with YAML values and validates them the same way', async () => {
    const base = 'dataset: {name: synthetic}\nmodel: {name: baselines}\n';
    const loaded = await app.load({ file: 'exp.yaml', text: base, overrides: ['training.epochs=5', 'model.options.method=last-value', 'dataset.options.channels=3'] });
    expect(loaded.config.training.epochs).toBe(5);
    expect(loaded.config.model.options.method).toBe('last-value');
    expect(loaded.config.dataset.options.channels).toBe(3);

    const problems = await problemsOf(app, base, ['training.epochs=abc', 'model.options.speed=3', 'nonsense', 'seed=-1']);
    expect(problems).toEqual(
      expect.arrayContaining([
        '--set training.epochs=abc: training.epochs: must be integer, got string "abc"',
        '--set model.options.speed=3: model.options.speed: unknown key "speed"; allowed keys: method, period, max_period',
        '--set nonsense: (root): expected key.path=value, e.g. --set training.epochs=5',
        '--set seed=-1: seed: must be >= 0, got number -1',
      ]),
    );
  });

  it('rejects an unknown series with the list of series', async () => {
    const problems = await problemsOf(app, 'dataset: {name: synthetic, series: cosines}\nmodel: {name: baselines}\n');
    expect(problems).toEqual(['exp.yaml:1:36: dataset.series: unknown series "cosines" of dataset "synthetic"; available: sines']);
  });

  it('validates the fixture used by the CLI test', async () => {
    await expect(app.load({ file: fixture })).rejects.toThrow(/lenght/);
  });

  it('prints an editor schema covering every registered plugin', () => {
    const schema = app.editorSchema() as any;
    expect(schema.properties.model.properties.name.enum).toContain('baselines');
    const branch = schema.properties.dataset.allOf.find((b: any) => b.if.properties.name.const === 'synthetic');
    expect(branch.then.properties.options.properties.anomalies.default).toBe(8);
  });
});
