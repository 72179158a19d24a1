import 'reflect-metadata';
import { container as rootContainer, inject, injectable, instanceCachingFactory, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RunStoreToken, SettingsToken, type AnomalabSettings, type Logger } from './contracts/services.ts';
import type { LoadedSeries } from './contracts/dataset-plugin.ts';
import { ConfigError } from './errors.ts';
import { validateAgainstSchema } from './config/validate.ts';
import { RunLogger } from './logging/run-logger.ts';
import { FsCheckpointStore } from './run-store/fs-checkpoint-store.ts';
import { SeededRandom } from './random.ts';
import { FsRunStore } from './run-store/fs-run-store.ts';
import type { RunStore } from './contracts/run-store.ts';
import { PluginRegistry } from './plugins/registry.ts';
import { discoverPlugins } from './plugins/discovery.ts';
import { gaussianDetectorPlugin } from './detection/gaussian-detector.ts';
import { loadExperiment, loadExperimentObject, readExperimentDocument, type ExperimentDocument, type ExperimentSource, type LoadedExperiment } from './config/load-experiment.ts';
import { composeEditorSchema } from './config/experiment-config.ts';
import type { JSONSchema } from './config/json-schema.ts';
import { runExperiment, type RunOptions, type RunOutcome } from './pipeline/run-experiment.ts';
import { createPluginScope, settingsFromEnvironment } from './pipeline/plugin-scope.ts';
import { scoreWithRun, type ScoreOutcome, type ScoreRequest } from './pipeline/score-series.ts';
import { openRunStream } from './streaming/open-run-stream.ts';
import type { StreamSession } from './streaming/stream-session.ts';

export const PluginRegistryToken: InjectionToken<PluginRegistry> = Symbol.for('anomalab.PluginRegistry');
export const ContainerToken: InjectionToken<DependencyContainer> = Symbol.for('anomalab.Container');

/**
 * The application service the CLI and the server use: plugins, experiment validation,
 * runs. Resolve it from `createAnomalabContainer()`.
 */
@injectable()
export class Anomalab {
  constructor(
    @inject(PluginRegistryToken) readonly registry: PluginRegistry,
    @inject(RunStoreToken) readonly runs: RunStore,
    @inject(SettingsToken) readonly settings: AnomalabSettings,
    @inject(ContainerToken) private readonly container: DependencyContainer,
  ) {}

  /** Plugin modules that failed to load during discovery (shown as warnings). */
  readonly pluginFailures: Error[] = [];

  /** Find and register the workspace's plugins (see plugins/discovery.ts). */
  async discover(options: { root?: string; modules?: string[] } = {}): Promise<this> {
    this.pluginFailures.push(...(await discoverPlugins(this.registry, options)));
    return this;
  }

  /** Parse, override and validate an experiment; throws ConfigError listing every problem. */
  load(source: ExperimentSource): Promise<LoadedExperiment> {
    return loadExperiment(source, this.registry);
  }

  /** Read and parse an experiment file once (pass it to `load` as `document`). */
  read(source: { file?: string; text?: string }): Promise<ExperimentDocument> {
    return readExperimentDocument(source);
  }

  /** Validate an experiment given as an object (a run's config.json, a sweep entry). */
  loadObject(config: Record<string, unknown>, options: { source: string; baseDir: string; overrides?: string[]; name?: string }): Promise<LoadedExperiment> {
    return loadExperimentObject(config, this.registry, options);
  }

  run(loaded: LoadedExperiment, options: Omit<RunOptions, 'config' | 'baseDir'> = {}): Promise<RunOutcome> {
    return runExperiment(this.registry, this.runs, {
      ...options,
      config: loaded.config,
      baseDir: loaded.baseDir,
      configFile: options.configFile ?? (loaded.source === '<inline>' ? undefined : loaded.source),
      container: this.container,
    });
  }

  /** Score another series with a trained run (`anomalab score`). */
  score(request: Omit<ScoreRequest, 'container'>): Promise<ScoreOutcome> {
    return scoreWithRun(this.registry, this.runs, { ...request, container: this.container });
  }

  /** A stream session over a completed run (`anomalab score <run> --stream`, the server's /api/streams; see docs/streaming.md). */
  openStream(runId: string): Promise<StreamSession> {
    return openRunStream(this.registry, this.runs, runId, { container: this.container });
  }

  /**
   * Load one series outside a run (e.g. `anomalab datasets info <dataset>/<series>`):
   * options are validated against the plugin's schema with defaults applied.
   */
  async loadSeries(request: { dataset: string; series?: string; options?: Record<string, unknown>; baseDir?: string; logger?: Logger }): Promise<LoadedSeries> {
    const plugin = this.registry.get('dataset', request.dataset);
    const options = structuredClone(request.options ?? {});
    const issues = validateAgainstSchema(plugin.optionsSchema ?? { type: 'object', additionalProperties: false }, options);
    if (issues.length) {
      throw new ConfigError(issues.map((i) => ({ source: `dataset ${plugin.name}`, path: ['options', ...i.path].join('.'), message: i.message })));
    }
    const { services } = createPluginScope(this.container, {
      logger: request.logger ?? new RunLogger({ quiet: true }),
      // Datasets do not checkpoint; a throwaway folder keeps the contract honest.
      checkpoints: new FsCheckpointStore(join(tmpdir(), `anomalab-standalone-${process.pid}`)),
      runStore: this.runs,
      random: new SeededRandom(0),
    });
    return plugin.load({ series: request.series, options, baseDir: request.baseDir ?? process.cwd(), services });
  }

  /** The JSON Schema of experiment files with every registered plugin's options. */
  editorSchema(): JSONSchema {
    return composeEditorSchema({
      datasets: this.registry.all('dataset'),
      models: this.registry.all('model'),
      detectors: this.registry.all('detector'),
    });
  }
}

export interface ContainerOptions extends Partial<AnomalabSettings> {
  /** Run store root; default `ANOMALAB_RUNS` or `runs/` in the current directory. */
  runsDir?: string;
}

/**
 * A container with the core services registered (built-in detector included). Everything
 * here is resolved by token, so a caller (a test, an embedding tool) can register another
 * implementation on the returned container before resolving `Anomalab`, e.g.
 * `container.registerInstance(RunStoreToken, myStore)`.
 */
export function createAnomalabContainer(options: ContainerOptions = {}): DependencyContainer {
  const scope = rootContainer.createChildContainer();
  const registry = new PluginRegistry();
  registry.register(gaussianDetectorPlugin, '@anomalab/core');
  scope.registerInstance(PluginRegistryToken, registry);
  scope.registerInstance(SettingsToken, settingsFromEnvironment({ backend: options.backend, dataMirror: options.dataMirror }));
  // A factory, so registering another RunStore before the first resolve replaces it cleanly.
  const runsDir = options.runsDir ?? process.env.ANOMALAB_RUNS ?? 'runs';
  scope.register(RunStoreToken, { useFactory: instanceCachingFactory(() => new FsRunStore(runsDir)) });
  scope.registerInstance(ContainerToken, scope);
  return scope;
}

/** Shorthand: container + Anomalab + discovered plugins. */
export async function createAnomalab(options: ContainerOptions & { root?: string } = {}): Promise<Anomalab> {
  const app = createAnomalabContainer(options).resolve(Anomalab);
  return app.discover({ root: options.root });
}
