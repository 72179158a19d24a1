import type { TrainingConfig } from '../contracts/model-plugin.ts';
import type { JSONSchema } from './json-schema.ts';

/** A fully resolved experiment (after validation and defaults). Keys are snake_case as in YAML. */
export interface ExperimentConfig {
  name: string;
  description?: string;
  seed: number;
  plugins: string[];
  dataset: { name: string; series?: string; options: Record<string, unknown> };
  preprocess: { standardize: boolean };
  model: { name: string; options: Record<string, unknown> };
  training: TrainingConfig;
  detector: {
    name: string;
    /** Prediction window W: length of each error vector. */
    window: number;
    /** Which weights score the test split: `final` (as the reference) or `best` (validation). */
    weights: 'final' | 'best';
    options: Record<string, unknown>;
  };
  evaluation: {
    beta: number;
    /** Deployable threshold, chosen without test labels from the train scores. */
    threshold: { method: 'max-train' | 'quantile'; quantile: number };
    /**
     * Evaluator plugins to run (`anomalab evaluators list`), each `{ name, options }` after
     * loading (a bare name is accepted in the file); default: every registered evaluator.
     */
    metrics?: { name: string; options: Record<string, unknown> }[];
  };
}

/** Core's part of the experiment schema; plugin schemas are slotted into the `options` keys. */
export function coreExperimentSchema(): JSONSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'anomalab experiment',
    type: 'object',
    additionalProperties: false,
    required: ['dataset', 'model'],
    properties: {
      $schema: { type: 'string', description: 'JSON Schema for editors (`anomalab schema > experiment.schema.json`).' },
      name: { type: 'string', minLength: 1, description: 'Experiment name; defaults to the file name. Used in run ids.' },
      description: { type: 'string', description: 'Free text shown with the runs.' },
      seed: { type: 'integer', minimum: 0, default: 1111, description: 'Seed for every random choice of the run (data noise, init, dropout).' },
      plugins: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        default: [],
        description: 'Extra plugin modules to load: paths relative to this file, or package names.',
      },
      dataset: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        description: 'Which series to load.',
        properties: {
          name: { type: 'string', description: 'Dataset plugin (`anomalab datasets list`).' },
          series: { type: 'string', description: "Series inside the dataset; default: the dataset's first series." },
          options: { type: 'object', default: {}, description: "The dataset plugin's options." },
        },
      },
      preprocess: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          standardize: {
            type: 'boolean',
            default: true,
            description: 'Standardise every channel with the mean and (n-1) standard deviation of the train split.',
          },
        },
      },
      model: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        description: 'Which predictor to train.',
        properties: {
          name: { type: 'string', description: 'Model plugin (`anomalab models list`).' },
          options: { type: 'object', default: {}, description: "The model plugin's options." },
        },
      },
      training: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          epochs: { type: 'integer', minimum: 1, default: 1, description: 'Training epochs, at least 1 (0 would score with untrained weights; the model sets its own default).' },
          save_interval: { type: 'integer', minimum: 1, default: 10, description: 'Write the `last` checkpoint every N epochs and at the end.' },
        },
      },
      detector: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          name: { type: 'string', default: 'gaussian', description: 'Detector plugin that turns prediction errors into scores.' },
          window: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'Prediction window W: each error vector holds the predictions of a row made 1..W steps earlier.' },
          weights: {
            type: 'string',
            enum: ['final', 'best'],
            default: 'final',
            description: 'Score with the final-epoch weights (as the reference) or the best-validation checkpoint.',
          },
          options: { type: 'object', default: {}, description: "The detector plugin's options." },
        },
      },
      evaluation: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          beta: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'beta of the F-beta score (1: F1).' },
          metrics: {
            type: 'array',
            description:
              'Evaluator plugins to run next to the point metrics (see `anomalab evaluators list`): names, or { name, options }. Default: every registered evaluator (the built-ins: vus, range-pr, affiliation, pa-k).',
            items: {
              anyOf: [
                { type: 'string', minLength: 1 },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name'],
                  properties: { name: { type: 'string', minLength: 1 }, options: { type: 'object', default: {} } },
                },
              ],
            },
          },
          threshold: {
            type: 'object',
            additionalProperties: false,
            default: {},
            description: 'The deployable threshold, chosen without test labels from the scores of the train split.',
            properties: {
              method: {
                type: 'string',
                enum: ['max-train', 'quantile'],
                default: 'max-train',
                description: '`max-train`: the largest train score; `quantile`: the given quantile of the train scores.',
              },
              quantile: {
                type: 'number',
                exclusiveMinimum: 0,
                maximum: 1,
                default: 0.99,
                description: 'Quantile of the train scores for `method: quantile` (linear interpolation).',
              },
            },
          },
        },
      },
    },
  };
}

export interface SelectedPluginSchemas {
  dataset?: JSONSchema;
  model?: JSONSchema;
  detector?: JSONSchema;
  trainingDefaults?: Partial<TrainingConfig>;
}

const EMPTY_OPTIONS: JSONSchema = { type: 'object', additionalProperties: false, properties: {} };

function withDefaultObject(schema: JSONSchema | undefined): JSONSchema {
  return { ...(schema ?? EMPTY_OPTIONS), default: {} };
}

/** Core schema + the schemas of the plugins this experiment selects. */
export function composeExperimentSchema(selected: SelectedPluginSchemas): JSONSchema {
  const schema = structuredClone(coreExperimentSchema()) as any;
  const props = schema.properties;
  props.dataset.properties.options = withDefaultObject(selected.dataset);
  props.model.properties.options = withDefaultObject(selected.model);
  props.detector.properties.options = withDefaultObject(selected.detector);
  for (const [key, value] of Object.entries(selected.trainingDefaults ?? {})) {
    if (props.training.properties[key]) props.training.properties[key].default = value;
  }
  return schema;
}

/**
 * The schema for editors: every plugin's options, chosen by `name` with if/then, so that
 * YAML language servers can complete and check any experiment.
 */
export function composeEditorSchema(plugins: {
  datasets: { name: string; optionsSchema?: JSONSchema }[];
  models: { name: string; optionsSchema?: JSONSchema }[];
  detectors: { name: string; optionsSchema?: JSONSchema }[];
}): JSONSchema {
  const schema = structuredClone(coreExperimentSchema()) as any;
  const section = (key: 'dataset' | 'model' | 'detector', list: { name: string; optionsSchema?: JSONSchema }[]) => {
    const target = schema.properties[key];
    target.properties.name = { ...target.properties.name, enum: list.map((p) => p.name) };
    target.allOf = list.map((p) => ({
      if: { properties: { name: { const: p.name } }, ...(key === 'detector' ? {} : { required: ['name'] }) },
      then: { properties: { options: withDefaultObject(p.optionsSchema) } },
    }));
  };
  section('dataset', plugins.datasets);
  section('model', plugins.models);
  section('detector', plugins.detectors);
  return schema;
}
