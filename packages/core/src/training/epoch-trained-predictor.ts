import type { PredictorState } from '../contracts/checkpoint-store.ts';
import type { Predictor, TrainContext, TrainData, TrainResult } from '../contracts/model-plugin.ts';
import { runEpochs, type EpochPlan } from './epoch-loop.ts';

/**
 * Base class of trainable predictors (template method): `train()` runs the core's epoch
 * loop (`runEpochs`) over the plan the model family returns from `planTraining`, and
 * `getState`/`setState` go through the family's `readState`/`writeState`. A family
 * implements its plan (steps, validation, log lines), its state, `describe`, `dispose`
 * and its outputs (`forecast` and/or `errors`).
 *
 * Interruption inside an epoch: the signal stops training right after the current step,
 * but an epoch's steps are only half applied then. So `getState()` (what the core
 * checkpoints, labelled with `TrainResult.epochs`) returns the state at the end of the
 * last completed epoch, and the next `train()` continues from there: a resumed run
 * repeats the interrupted epoch from its start and equals an uninterrupted one.
 */
export abstract class EpochTrainedPredictor<Step = unknown> implements Predictor {
  /** The state at the last completed epoch's end, kept after an interruption inside the next epoch. */
  private lastEpochState?: PredictorState;

  /** Prepare one `train()` call (data, buffers) and say how to train and validate it. */
  protected abstract planTraining(data: TrainData, context: TrainContext): EpochPlan<Step> | Promise<EpochPlan<Step>>;
  /** The complete current state (weights, optimizer state, step counters, seed). */
  protected abstract readState(): Promise<PredictorState>;
  /** Restore a state from `readState` (a checkpoint): throw ANOMALAB_CHECKPOINT_INVALID if it is not this model's. */
  protected abstract writeState(state: PredictorState): Promise<void>;
  abstract describe(): { engine: string; parameters?: number };
  abstract dispose(): void;

  async train(data: TrainData, context: TrainContext): Promise<TrainResult> {
    await this.returnToLastEpoch();
    const plan = await this.planTraining(data, context);
    let atEpochStart: PredictorState | undefined;
    const result = await runEpochs(plan, context, async () => {
      atEpochStart = await this.readState();
    });
    if (result.midEpoch) this.lastEpochState = atEpochStart;
    return { epochs: result.epochs, interrupted: result.interrupted };
  }

  getState(): Promise<PredictorState> {
    return this.lastEpochState ? Promise.resolve(this.lastEpochState) : this.readState();
  }

  async setState(state: PredictorState): Promise<void> {
    this.lastEpochState = undefined;
    await this.writeState(state);
  }

  private async returnToLastEpoch(): Promise<void> {
    const state = this.lastEpochState;
    this.lastEpochState = undefined;
    if (state) await this.writeState(state);
  }
}
