import type { EpochReport, TrainContext, TrainResult } from '../contracts/model-plugin.ts';
import { LossAverage } from './loss-average.ts';

/**
 * What a model family implements to be trained by `runEpochs`: its steps and how to take
 * one, validation, and its log lines. Everything else (the epoch loop, means, timing,
 * progress lines, yielding to signal handlers, interruption, epoch reports) is the core's.
 */
export interface EpochPlan<Step> {
  /** Names of the loss terms `trainStep` returns (one value each); none: it returns the loss alone. */
  readonly terms?: readonly string[];
  /** The steps of `epoch` (1-based) in training order, e.g. BPTT windows or shuffled minibatches. Called at the epoch's start. */
  steps(epoch: number): readonly Step[];
  /** One optimisation step; returns its loss terms. */
  trainStep(step: Step, index: number): ArrayLike<number> | number;
  /** Weight of a step in the epoch's mean (default 1, e.g. a minibatch's size). */
  stepWeight?(step: Step): number;
  /** After an epoch's last step, and when interrupted inside it: free per-epoch resources, sync working copies. */
  endEpoch?(): void;
  /** Validation loss terms (eval mode) after each epoch, including `loss`; undefined: none. */
  validate?(): Record<string, number> | undefined;
  /** The epoch's `train` record from the steps' mean (default: the mean). */
  trainReport?(mean: Record<string, number>): Record<string, number>;
  /** The human line logged after each epoch. */
  epochLine(report: EpochReport): string;
  /** A line every `every` steps inside an epoch (mean loss and time per step since the last one). */
  readonly stepLog?: { every: number; line(epoch: number, step: number, msPerStep: number, loss: number): string };
  /** Once, when `runEpochs` returns or throws. */
  finish?(): void;
}

/** How `runEpochs` ended an interrupted call: after a completed epoch, or inside one. */
export interface EpochsResult extends TrainResult {
  /** True when the signal stopped training inside an epoch (its steps are then partly applied). */
  midEpoch: boolean;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The training loop shared by every trainable model: epochs `startEpoch + 1 .. epochs`,
 * each its steps, the mean of their loss terms, validation, one log line and
 * `onEpochEnd` (where the core writes metrics and checkpoints). After every step it lets
 * pending events run and stops when `signal` is aborted; `beforeEpoch` runs before each
 * epoch's first step (the predictor keeps the state it must return to, see
 * `EpochTrainedPredictor`).
 */
export async function runEpochs<Step>(plan: EpochPlan<Step>, context: TrainContext, beforeEpoch?: () => Promise<void>): Promise<EpochsResult> {
  const logger = context.services.logger;
  const { stepLog } = plan;
  let completed = context.startEpoch;
  const stopped = (midEpoch: boolean): EpochsResult => ({ epochs: completed, interrupted: true, midEpoch });
  try {
    for (let epoch = context.startEpoch + 1; epoch <= context.training.epochs; epoch++) {
      await beforeEpoch?.();
      const epochStart = performance.now();
      const steps = plan.steps(epoch);
      const epochMean = new LossAverage(plan.terms);
      let logMean = new LossAverage(plan.terms);
      let logStart = performance.now();
      try {
        for (let index = 0; index < steps.length; index++) {
          const step = steps[index]!;
          const loss = plan.trainStep(step, index);
          const values = typeof loss === 'number' ? [loss] : loss;
          const weight = plan.stepWeight?.(step) ?? 1;
          epochMean.add(values, weight);
          if (stepLog) {
            logMean.add(values, weight);
            if (index % stepLog.every === 0 && index > 0) {
              logger.info(stepLog.line(epoch, index, (performance.now() - logStart) / logMean.count, logMean.total()));
              logMean = new LossAverage(plan.terms);
              logStart = performance.now();
            }
          }
          // Let signal handlers run, then stop promptly when asked.
          await yieldToEventLoop();
          if (context.signal.aborted) return stopped(true);
        }
      } finally {
        plan.endEpoch?.();
      }
      const validation = plan.validate?.();
      const durationMs = performance.now() - epochStart;
      const mean = epochMean.report();
      const report: EpochReport = { epoch, train: plan.trainReport?.(mean) ?? mean, validation, durationMs };
      logger.info(plan.epochLine(report));
      completed = epoch;
      await context.onEpochEnd(report);
      if (context.signal.aborted) return stopped(false);
    }
    return { epochs: Math.max(completed, context.startEpoch), interrupted: false, midEpoch: false };
  } finally {
    plan.finish?.();
  }
}
