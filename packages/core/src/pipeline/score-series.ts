import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { container, type DependencyContainer } from 'tsyringe';
import { AnomalabError } from '../errors.ts';
import type { RunStore } from '../contracts/run-store.ts';
import type { Predictor } from '../contracts/model-plugin.ts';
import { loadExperimentObject } from '../config/load-experiment.ts';
import { RunLogger } from '../logging/run-logger.ts';
import { writeFileAtomic, writeJsonAtomic } from '../run-store/atomic-write.ts';
import { RUN_FILES, runPaths, SCORE_METRICS_FILE } from '../run-store/run-layout.ts';
import { SeededRandom } from '../random.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { resolveEvaluators } from '../evaluation/select-evaluators.ts';
import { datasetNotes, headlineMetrics, writeResults, type RunResults, type ScoredSplit } from './results.ts';
import { standardize } from './standardize.ts';
import { createPluginScope } from './plugin-scope.ts';
import { readScoringRun, restoreScoringModel } from './scoring-run.ts';
import { MODEL_SCORES_DETECTOR, predictErrors, scoreDirect, scoreErrors } from './stages/score.ts';
import { evaluateSplit, reportResults } from './stages/evaluate.ts';

export interface ScoreRequest {
  /** The trained run whose checkpoint (weights + fitted detector) scores. */
  run: string;
  /** `<dataset>/<series>`, `<dataset>` (its first series) or a path to a .csv file. */
  series: string;
  /** `dataset.options.x=y` overrides (`--set`), validated against the dataset's schema. */
  overrides?: string[];
  /** Which split of the series to score (default: test). */
  split?: 'test' | 'train';
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  quiet?: boolean;
  container?: DependencyContainer;
}

export interface ScoreOutcome {
  /** Folder of the scoring result: `<run>/scores/<dataset>__<series>[__train]/`. */
  dir: string;
  results: RunResults;
  summary: string[];
}

/** A file-name-safe folder name for a scored series. */
function folderName(datasetId: string, split: 'test' | 'train'): string {
  return datasetId.replace(/\//g, '__').replace(/[^A-Za-z0-9._-]/g, '_') + (split === 'train' ? '__train' : '');
}

/** `--series` to dataset name, series name and extra overrides (a .csv path becomes the csv dataset). */
function parseSeries(spec: string, registry: PluginRegistry): { dataset: string; series?: string; overrides: string[] } {
  if (/\.csv$/i.test(spec) || (existsSync(spec) && !registry.has('dataset', spec.split('/')[0]!))) {
    if (!existsSync(spec)) throw new AnomalabError('ANOMALAB_USAGE', `--series ${spec}: no such csv file`);
    return { dataset: 'csv', series: 'file', overrides: [`dataset.options.path=${JSON.stringify(resolve(spec))}`] };
  }
  const slash = spec.indexOf('/');
  return slash < 0 ? { dataset: spec, overrides: [] } : { dataset: spec.slice(0, slash), series: spec.slice(slash + 1), overrides: [] };
}

/**
 * Score another series with a trained run, without training: the run's checkpoint
 * (weights that scored + fitted detector), its train statistics for standardisation, its
 * window and its deployable thresholds (so the deployable metrics use no labels of the new
 * series). Labelled series are also evaluated (oracle sweep, AUCs, events). The result
 * (results.json + series/) appears atomically as one folder under `<run>/scores/`.
 */
export async function scoreWithRun(registry: PluginRegistry, runStore: RunStore, request: ScoreRequest): Promise<ScoreOutcome> {
  const { run, config: runConfig, results: runResults } = await readScoringRun(runStore, request.run);
  const badOverride = (request.overrides ?? []).find((o) => !o.startsWith('dataset.'));
  if (badOverride) throw new AnomalabError('ANOMALAB_USAGE', `--set ${badOverride}: only dataset.* can change when scoring with a trained run`);
  const split = request.split ?? 'test';
  const target = parseSeries(request.series, registry);
  const datasetPlugin = registry.get('dataset', target.dataset);
  const sameDataset = target.dataset === runConfig.dataset.name;

  // Validate the series' dataset options like an experiment: the run's config with the
  // dataset swapped (keeping the run's dataset options when the dataset is the same).
  const config = structuredClone(runConfig) as unknown as Record<string, unknown>;
  config.dataset = { name: target.dataset, ...(target.series !== undefined ? { series: target.series } : {}), options: sameDataset ? runConfig.dataset.options : {} };
  const loadedConfig = await loadExperimentObject(config, registry, {
    source: runPaths(run.dir).config,
    baseDir: run.dir,
    overrides: [...target.overrides, ...(request.overrides ?? [])],
  });
  const baseDir = sameDataset && run.configFile ? dirname(run.configFile) : process.cwd();

  const scoresRoot = runPaths(run.dir).scores;
  const tmp = join(scoresRoot, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  // Two plain mkdirs: a recursive one reports ENOENT instead of EROFS on a read-only store.
  await mkdir(scoresRoot).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await mkdir(tmp);
  const logger = new RunLogger({ logFile: join(tmp, RUN_FILES.log), out: request.out, quiet: request.quiet });
  const checkpoints = runStore.checkpoints(run.id);
  const parent = request.container ?? container;
  const { services } = createPluginScope(parent, {
    logger,
    checkpoints,
    runStore,
    random: new SeededRandom(runConfig.seed),
  });

  let predictor: Predictor | undefined;
  try {
    const loaded = await datasetPlugin.load({ series: loadedConfig.config.dataset.series, options: loadedConfig.config.dataset.options, baseDir, services });
    const stats = runResults.standardization;
    const channels = loaded.channelNames.length;
    if (channels !== stats.mean.length) {
      throw new AnomalabError('ANOMALAB_DATA_INVALID', `${loaded.id} has ${channels} channel(s), run ${run.id} was trained on ${stats.mean.length} (${runResults.channels.map((c) => c.channel).join(', ')})`);
    }
    const names = runResults.channels.map((c) => c.channel);
    if (names.join() !== loaded.channelNames.join()) logger.warn(`channel names differ from the run's (${loaded.channelNames.join(', ')} vs ${names.join(', ')}): matched by position`);
    const chosen = standardize(split === 'test' ? loaded.test : loaded.train, stats);
    logger.info(`scoring ${loaded.id} (${split} split, ${chosen.rows} rows${loaded.labelled ? '' : ', unlabelled'}) with run ${run.id}`);

    // Weights: the ones that scored in the run (final or best), plus the detector fitted for them.
    const restored = await restoreScoringModel(registry, runStore, { run, config: runConfig, results: runResults }, services);
    const { modelPlugin, weights, detector } = restored;
    predictor = restored.predictor;
    const fixedThresholds = {
      ...restored.thresholds,
      protocol: `${runResults.channels[0]?.metrics.deployable.protocol.replace(/ \(no test labels used\)$/, '') ?? 'threshold'} of run ${run.id} (no labels of this series used)`,
    };
    const W = runResults.window;
    let scored: ScoredSplit;
    let detectorFacts: Record<string, unknown>;
    let modelFacts: Record<string, unknown> | undefined;
    if (predictor.score) {
      // A model that scores rows itself: no detector. `--split train` of the run's own series
      // is the split it was trained on (scored as in the run, e.g. a self-join).
      const trainSplit = split === 'train' && loaded.id === run.dataset && sameDataset && JSON.stringify(loadedConfig.config.dataset.options) === JSON.stringify(runConfig.dataset.options);
      const direct = await scoreDirect(predictor, modelPlugin.name, chosen, { trainSplit }, logger);
      scored = { split: loaded.labelled ? chosen : { ...chosen, labels: undefined }, splitName: split, channelNames: loaded.channelNames, scores: { channels: direct.channels, joint: direct.joint }, fixedThresholds, firstValid: direct.firstValid };
      detectorFacts = { ...MODEL_SCORES_DETECTOR };
      modelFacts = direct.details;
    } else {
      const errors = await predictErrors(predictor, modelPlugin.name, chosen, W, logger);
      scored = {
        split: loaded.labelled ? chosen : { ...chosen, labels: undefined },
        splitName: split,
        channelNames: loaded.channelNames,
        scores: scoreErrors(detector!, errors),
        fixedThresholds,
        forecast: errors.forecast,
        firstValid: errors.errors.firstValid,
      };
      detectorFacts = detector!.describe();
    }
    const evaluated = evaluateSplit(scored, { settings: runResults.evaluation, labelled: loaded.labelled, window: W, evaluators: resolveEvaluators(registry, runConfig.evaluation?.metrics) });
    const results: RunResults = {
      ...runResults,
      dataset: loaded.id,
      labelled: loaded.labelled,
      split,
      offset: chosen.offset,
      rows: chosen.rows,
      scoredEpoch: weights.epoch,
      detector: detectorFacts,
      model: modelFacts,
      channels: evaluated.channels,
      joint: evaluated.joint,
      scoredWith: { run: run.id, dataset: run.dataset },
      notes: datasetNotes(loaded),
    };
    const summary = reportResults(logger, results);
    await writeResults((path, content) => (typeof content === 'string' || content instanceof Uint8Array ? writeFileAtomic(join(tmp, path), content) : writeJsonAtomic(join(tmp, path), content)), results, evaluated.series);
    await writeJsonAtomic(join(tmp, SCORE_METRICS_FILE), headlineMetrics(results));

    // Publish the finished folder in one rename; a previous result is swapped out first.
    const dir = join(scoresRoot, folderName(loaded.id === 'csv/file' ? `csv/${basename(String(loadedConfig.config.dataset.options.path ?? 'file'))}` : loaded.id, split));
    const old = `${tmp}-old`;
    const hadOld = existsSync(dir);
    if (hadOld) await rename(dir, old);
    await rename(tmp, dir);
    if (hadOld) await rm(old, { recursive: true, force: true });
    return { dir, results, summary };
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  } finally {
    predictor?.dispose();
  }
}
