import { describe, expect, it } from 'vitest';
import plugins, { rnnModel } from './index.ts';
import { DEFAULT_OPTIONS } from './config.ts';
import { batchLine, epochLine } from './format-log.ts';

describe('rnn plugin', () => {
  it('is the default export and declares the reference defaults', () => {
    expect(plugins).toEqual([rnnModel]);
    expect(rnnModel.kind).toBe('model');
    expect(rnnModel.trainingDefaults).toEqual({ epochs: 400, save_interval: 10 });
    expect(DEFAULT_OPTIONS).toEqual({
      cell: 'LSTM', embedding: 32, hidden: 32, layers: 2, dropout: 0.2, lr: 2e-4, weight_decay: 1e-4, clip: 10,
      batch_size: 64, bptt: 50, residual: false, augment_length: 100000, noise: 0.05, noise_mode: 'reference', rng: 'torch', engine: 'fused', threads: 1, forecast_threads: 2,
    });
  });

  it('has a closed options schema where every field has a type, default and description', () => {
    const schema = rnnModel.optionsSchema as { additionalProperties: boolean; properties: Record<string, Record<string, unknown>> };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(DEFAULT_OPTIONS).sort());
    for (const [key, property] of Object.entries(schema.properties)) {
      expect(property.type, key).toBeTypeOf('string');
      expect(property.description, key).toBeTypeOf('string');
      expect(property.default, key).toEqual(DEFAULT_OPTIONS[key as keyof typeof DEFAULT_OPTIONS]);
    }
  });
});

describe('log lines', () => {
  it('match the reference formats', () => {
    expect(batchLine(3, 10, 31, 58.1712, 0.1789)).toBe('| epoch   3 |    10/   31 batches | ms/batch 58.17 | loss  0.18');
    expect(epochLine(3, 2.3512, 1.78631)).toBe('| end of epoch   3 | time:  2.35s | valid loss 1.7863 |');
  });
});
