import { decodeFlatState, encodeFlatState, EpochTrainedPredictor, type PredictorState } from '@anomalab/core';
import type { FlatNetwork } from './flat-network.ts';

/**
 * A trainable predictor whose state is a FlatNetwork: checkpoints hold its weights and
 * Adam moments per parameter name, the Adam step and the seed (the core's flat-state
 * format), checked against the architecture on restore. A family adds its training plan,
 * outputs and `describe`.
 */
export abstract class FlatParameterPredictor<Step = unknown> extends EpochTrainedPredictor<Step> {
  /**
   * @param family name in messages (`rnn`)
   * @param format checkpoint format tag (`rnn/1`)
   * @param architecture the options that shape the parameters (stored, compared on restore)
   */
  constructor(
    readonly net: FlatNetwork,
    private readonly family: string,
    private readonly format: string,
    private readonly architecture: object,
  ) {
    super();
  }

  private spec() {
    return { family: this.family, format: this.format, layout: this.net.layout, architecture: this.architecture };
  }

  protected async readState(): Promise<PredictorState> {
    return encodeFlatState(this.spec(), { ...(await this.net.read()), seed: this.net.seed });
  }

  protected async writeState(state: PredictorState): Promise<void> {
    const restored = decodeFlatState(this.spec(), state);
    this.net.load(restored);
    // The seed keys the model's random streams (noise, dropout, window order): continue the saved run's.
    if (restored.seed !== undefined) this.net.seed = restored.seed;
  }

  dispose(): void {
    this.net.dispose();
  }
}
