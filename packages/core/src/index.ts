// @anomalab/core: contracts for plugins, the DI container, experiments, the pipeline and the run store.
import 'reflect-metadata';

export { AnomalabError, ConfigError, exitCodeFor, formatProblem } from './errors.ts';
export type { AnomalabErrorCode, ConfigProblem } from './errors.ts';

export type { Series, Split } from './contracts/series.ts';
export { channelOf } from './contracts/series.ts';
export type { DatasetPlugin, DatasetLoadRequest, LoadedSeries, SeriesInfo } from './contracts/dataset-plugin.ts';
export type {
  ModelPlugin,
  ModelCreateRequest,
  Predictor,
  TrainingConfig,
  TrainData,
  TrainContext,
  TrainResult,
  EpochReport,
  Forecast,
  DirectScores,
  ScoreContext,
} from './contracts/model-plugin.ts';
export type { BrowserStreamInput, OpenBrowserStream, PredictorStream, PredictorStreamOptions, PredictorStreamStep, StreamRowScores } from './contracts/stream.ts';
export type { Detector, DetectorPlugin, DetectorScores, ErrorSeries } from './contracts/detector.ts';
export { StreamSession } from './streaming/stream-session.ts';
export type { StreamScore, StreamSessionOptions, StreamThresholds } from './streaming/stream-session.ts';
export { openRunStream } from './streaming/open-run-stream.ts';
export { readStreamPackage } from './streaming/read-stream-package.ts';
export { decodePredictorState, encodePredictorState, sessionFromPackage, STREAM_PACKAGE_FORMAT } from './streaming/stream-package.ts';
export type { StreamPackage, EncodedTensor } from './streaming/stream-package.ts';
export type { OpenRunStreamOptions } from './streaming/open-run-stream.ts';
export type { EvaluatorPlugin, EvaluatorInput, EvaluatorOutput, EvaluatorThreshold, MetricInfo, SelectedEvaluator } from './contracts/evaluator.ts';
export type { Checkpoint, CheckpointStore, PredictorState, TensorData } from './contracts/checkpoint-store.ts';
export type { RunRecord, RunStatus, RunStore, RunSummary } from './contracts/run-store.ts';
export type { LaunchEvent, LaunchOptions, LaunchOutcome, LaunchRequest, LauncherStatus, RunLauncher } from './contracts/run-launcher.ts';
export type { Logger, ProgressHandle, Random, PluginServices, AnomalabSettings } from './contracts/services.ts';
export {
  SettingsToken,
  LoggerToken,
  RandomToken,
  CheckpointStoreToken,
  RunStoreToken,
  BackendRecorderToken,
} from './contracts/services.ts';

export type { JSONSchema } from './config/json-schema.ts';
export type { ExperimentConfig } from './config/experiment-config.ts';
export { coreExperimentSchema, composeExperimentSchema, composeEditorSchema } from './config/experiment-config.ts';
export { loadExperiment, loadExperimentObject, readExperimentDocument, experimentData, parseOverride } from './config/load-experiment.ts';
export { FILE_OPTION_KEYWORD } from './config/request-policy.ts';
export type { RequestPolicy } from './config/request-policy.ts';
export { MAX_EXPERIMENT_BYTES, readExperimentFile, checkExperimentSize } from './config/experiment-text.ts';
export { planSweep, isMatrixExperiment } from './sweep/expand-matrix.ts';
export type { SweepPlan, SweepEntry } from './sweep/expand-matrix.ts';
export { buildSweepReport, REPORT_METRICS, METRIC_LABELS } from './sweep/sweep-report.ts';
export type { SweepReport, ReportRow, ReportMetric, Stat, ModelRank, SweepReportOptions } from './sweep/sweep-report.ts';
export type { ExperimentSource, ExperimentDocument, LoadedExperiment } from './config/load-experiment.ts';

export { PluginRegistry } from './plugins/registry.ts';
export type { AnyPlugin, PluginKind } from './plugins/registry.ts';
export { discoverPlugins, findWorkspaceRoot, loadPluginModule } from './plugins/discovery.ts';

export { Anomalab, createAnomalab, createAnomalabContainer, PluginRegistryToken, ContainerToken } from './container.ts';
export type { ContainerOptions } from './container.ts';

export { FsRunStore, newRunId, assertRunId } from './run-store/fs-run-store.ts';
export { RUN_FILES, SCORE_METRICS_FILE, LEGACY_SERIES_FILE, SWEEPS_FOLDER, SWEEP_MANIFEST, runPaths, sweepPaths } from './run-store/run-layout.ts';
export { FsCheckpointStore, encodeCheckpoint, decodeCheckpoint } from './run-store/fs-checkpoint-store.ts';
export { writeFileAtomic, writeJsonAtomic, removeStaleTempFiles } from './run-store/atomic-write.ts';
export { RunLogger } from './logging/run-logger.ts';
export type { LogEvent, RunLoggerOptions } from './logging/run-logger.ts';
export { SeededRandom, mixSeed, uniformStream } from './random.ts';
export { ParameterLayout } from './training/parameter-layout.ts';
export type { ParameterSlot } from './training/parameter-layout.ts';
export { encodeFlatState, decodeFlatState } from './training/flat-state.ts';
export type { FlatStateFormat, FlatTrainingState } from './training/flat-state.ts';
export { LossAverage } from './training/loss-average.ts';
export { runEpochs } from './training/epoch-loop.ts';
export type { EpochPlan, EpochsResult } from './training/epoch-loop.ts';
export { EpochTrainedPredictor } from './training/epoch-trained-predictor.ts';

export { runExperiment, headlineMetrics, formatMetricsSummary } from './pipeline/run-experiment.ts';
export { createPluginScope, resolvePluginServices, resolveSettings, settingsFromEnvironment } from './pipeline/plugin-scope.ts';
export type { ScopeServices } from './pipeline/plugin-scope.ts';
export type { RunOptions, RunOutcome, RunResults, ChannelResults } from './pipeline/run-experiment.ts';
export { channelStats, standardize, standardizeRow } from './pipeline/standardize.ts';
export type { ChannelStats } from './pipeline/standardize.ts';

export { errorsFromForecast, writeErrorVectors } from './detection/forecast-errors.ts';
export type { ForecastRows } from './detection/forecast-errors.ts';
export { GaussianDetector, gaussianDetectorPlugin } from './detection/gaussian-detector.ts';
export { cholesky, choleskyWithRidge, mahalanobisSquared } from './detection/linear-algebra.ts';
export { oracleSweep, ORACLE_PROTOCOL } from './evaluation/oracle-threshold.ts';
export { averagePrecision } from './evaluation/average-precision.ts';
export { rocAuc } from './evaluation/roc-auc.ts';
export { evaluateEvents } from './evaluation/events.ts';
export { evaluateChannel } from './evaluation/evaluate-channel.ts';
export type { EvaluationSettings, ChannelEvaluation, ChannelEvaluationInput } from './evaluation/evaluate-channel.ts';
export { deployableThreshold, describeRule } from './evaluation/deployable-threshold.ts';
export type { ThresholdRule } from './evaluation/deployable-threshold.ts';
export type { ChannelMetrics, OracleMetrics, DeployableMetrics, EventCounts } from './evaluation/channel-metrics.ts';
export { scoreWithRun } from './pipeline/score-series.ts';
export { assertResumableOverrides, RESUMABLE_KEYS } from './pipeline/resume-changes.ts';
export type { ScoreRequest, ScoreOutcome } from './pipeline/score-series.ts';
export { readSeriesFolder, SERIES_FORMAT } from './pipeline/series-files.ts';
export type { SeriesIndex, SeriesEntry } from './pipeline/series-files.ts';
export { runEvaluators } from './evaluation/run-evaluators.ts';
export { evaluatorTables } from './evaluation/evaluator-tables.ts';
export { DEFAULT_RANK_METRIC, metricKeysOf, metricValue, ranksOf, runMetricValue } from './evaluation/metric-keys.ts';
export type { MetricKey } from './evaluation/metric-keys.ts';
export { resolveEvaluators, selectEvaluatorOptions } from './evaluation/select-evaluators.ts';
export type { EvaluatorChoice } from './evaluation/select-evaluators.ts';
export type { EvaluatorEntry, EvaluatorAtThreshold } from './evaluation/run-evaluators.ts';
export { assertFiniteScores } from './evaluation/finite-scores.ts';
export { countAt, fBeta, precisionRecall } from './evaluation/point-metrics.ts';
