import { AnomalabError } from '../../errors.ts';
import type { Checkpoint } from '../../contracts/checkpoint-store.ts';
import type { EpochReport, ModelPlugin, Predictor } from '../../contracts/model-plugin.ts';
import type { PluginServices, ProgressHandle } from '../../contracts/services.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import type { PreparedData } from './load-data.ts';
import type { RunContext } from './open-run.ts';

export interface TrainedModel {
  /** Epochs completed (resumed epochs included). */
  completedEpochs: number;
  /** Epoch of the weights now loaded in the predictor (final, or best validation). */
  scoredEpoch: number;
}

/** A model instance for a config (a run, or `anomalab score` with the run's config). */
export function createPredictor(model: ModelPlugin<any>, config: ExperimentConfig, channels: number, services: PluginServices): Promise<Predictor> {
  return model.create({ channels, options: config.model.options, training: config.training, seed: config.seed, services });
}

/**
 * Checkpoint policy of a run: `best` on every new best validation loss, `last` every
 * save_interval epochs and at the end; each checkpoint carries the resolved config and the
 * state of the run's Random.
 */
class RunCheckpoints {
  bestValidationLoss: number | null = null;
  lastSavedEpoch = 0;

  constructor(
    private readonly ctx: RunContext,
    private readonly predictor: Predictor,
  ) {}

  private async checkpointOf(epoch: number): Promise<Checkpoint> {
    return {
      epoch,
      bestValidationLoss: this.bestValidationLoss,
      config: this.ctx.config as unknown as Record<string, unknown>,
      predictor: await this.predictor.getState(),
      random: this.ctx.random.getState(),
      savedAt: new Date().toISOString(),
    };
  }

  async saveLast(epoch: number): Promise<void> {
    await this.ctx.checkpoints.save('last', await this.checkpointOf(epoch));
    this.lastSavedEpoch = epoch;
  }

  /** After each epoch: `best` when validation improved, `last` on the save interval. */
  async afterEpoch(epoch: number, validationLoss: number | undefined): Promise<void> {
    const { training } = this.ctx.config;
    if (validationLoss !== undefined && (this.bestValidationLoss === null || validationLoss < this.bestValidationLoss)) {
      this.bestValidationLoss = validationLoss;
      await this.ctx.checkpoints.save('best', await this.checkpointOf(epoch));
    }
    if (epoch % training.save_interval === 0 || epoch === training.epochs) {
      this.ctx.logger.info(`saving checkpoint (epoch ${epoch})`);
      await this.saveLast(epoch);
    }
  }
}

/** Throws ANOMALAB_TRAINING_DIVERGED when a loss term is NaN or infinite. */
function assertFinite(report: EpochReport, lastSavedEpoch: number): void {
  for (const [split, terms] of [['train', report.train], ['validation', report.validation ?? {}]] as const) {
    for (const [term, value] of Object.entries(terms)) {
      if (!Number.isFinite(value)) {
        const kept = lastSavedEpoch > 0 ? `the last good checkpoint (epoch ${lastSavedEpoch}) is kept` : 'no checkpoint had been written yet';
        throw new AnomalabError('ANOMALAB_TRAINING_DIVERGED', `${split} ${term} is ${value} at epoch ${report.epoch}: training diverged (try a lower learning rate); ${kept}`);
      }
    }
  }
}

/** Restore the `last` checkpoint of a resumed run; returns the epoch to continue from. */
async function restoreForResume(ctx: RunContext, predictor: Predictor, policy: RunCheckpoints): Promise<number> {
  if (!ctx.resumed) return 0;
  const last = await ctx.checkpoints.load('last');
  if (!last) {
    ctx.logger.warn('no checkpoint to resume from: training from scratch');
    return 0;
  }
  await predictor.setState(last.predictor);
  if (last.random) ctx.random.setState(last.random);
  policy.bestValidationLoss = last.bestValidationLoss;
  ctx.logger.info(`resuming from the checkpoint of epoch ${last.epoch}`);
  return last.epoch;
}

/** Load the weights that score (`detector.weights`: final, the reference, or best validation). */
async function loadScoringWeights(ctx: RunContext, predictor: Predictor, completedEpochs: number): Promise<number> {
  if (ctx.config.detector.weights !== 'best') return completedEpochs;
  const best = await ctx.checkpoints.load('best');
  if (!best) {
    ctx.logger.warn('weights: best requested but no validation loss was recorded: scoring with the final weights');
    return completedEpochs;
  }
  await predictor.setState(best.predictor);
  return best.epoch;
}

/**
 * Train stage: restore when resuming, train with the core's per-epoch bookkeeping
 * (metrics.jsonl, progress, divergence check, checkpoints), then load the scoring weights.
 */
export async function trainModel(ctx: RunContext, predictor: Predictor, data: PreparedData): Promise<TrainedModel> {
  const { config, logger, signal, services } = ctx;
  const policy = new RunCheckpoints(ctx, predictor);
  const startEpoch = await restoreForResume(ctx, predictor, policy);
  policy.lastSavedEpoch = startEpoch;
  const engine = predictor.describe();
  await ctx.runStore.update(ctx.run.id, { engine: engine.engine });
  logger.info(`model: ${ctx.plugins.model.name} (${engine.engine}${engine.parameters !== undefined ? `, ${engine.parameters} parameters` : ''})`);

  let completedEpochs = startEpoch;
  let progress: ProgressHandle | undefined;
  const onEpochEnd = async (report: EpochReport) => {
    // Let pending events run (SIGINT/SIGTERM handlers, HTTP cancel) even when the model's
    // training loop never yields on its own.
    await new Promise((resolve) => setImmediate(resolve));
    assertFinite(report, policy.lastSavedEpoch);
    completedEpochs = report.epoch;
    const validationText = report.validation?.loss !== undefined ? ` valid ${report.validation.loss.toFixed(4)}` : '';
    progress?.update(report.epoch - startEpoch, `epoch ${report.epoch}/${config.training.epochs} loss ${report.train.loss?.toFixed(4)}${validationText}`);
    logger.metric({ type: 'epoch', epoch: report.epoch, train: report.train, validation: report.validation, duration_ms: report.durationMs });
    await policy.afterEpoch(report.epoch, report.validation?.loss);
  };
  if (startEpoch < config.training.epochs) {
    // A bar on a TTY; plain progress lines (every 25%) otherwise.
    progress = logger.progress(`training (epochs ${startEpoch + 1}..${config.training.epochs})`, config.training.epochs - startEpoch);
    const result = await predictor.train({ train: data.train, validation: data.test }, { training: config.training, services, signal, startEpoch, onEpochEnd });
    progress.done(`${result.epochs - startEpoch} epoch(s)`);
    completedEpochs = result.epochs;
    if (result.interrupted || signal.aborted) {
      await policy.saveLast(completedEpochs);
      throw new AnomalabError('ANOMALAB_INTERRUPTED', `interrupted after epoch ${completedEpochs}; checkpoint written. Continue with: anomalab experiment --resume ${ctx.run.id}`);
    }
  }
  if (policy.lastSavedEpoch !== completedEpochs || !(await ctx.checkpoints.load('last'))) await policy.saveLast(completedEpochs);
  const scoredEpoch = await loadScoringWeights(ctx, predictor, completedEpochs);
  return { completedEpochs, scoredEpoch };
}
