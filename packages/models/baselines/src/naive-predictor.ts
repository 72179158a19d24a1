import { AnomalabError, EpochTrainedPredictor, type EpochPlan, type Forecast, type PredictorState, type PredictorStream, type PredictorStreamOptions, type Series, type TrainData } from '@anomalab/core';

export interface BaselineOptions {
  method: 'last-value' | 'seasonal-naive';
  /** Season length in rows; 0 = estimate from the train split's autocorrelation. */
  period: number;
  /** Longest period considered when estimating. */
  max_period: number;
}

/**
 * Naive forecasters. last-value predicts x_{t+k} = x_t; seasonal-naive predicts
 * x_{t+k} = x_{t+k-P} (one season back, or x_t where that lies before the series start).
 * "Training" estimates P from the train split when `period` is 0: the lag in
 * [2, max_period] with the highest mean autocorrelation over channels.
 */
export class NaivePredictor extends EpochTrainedPredictor<Series> {
  private period: number;

  constructor(
    private readonly options: BaselineOptions,
    private readonly channels: number,
  ) {
    super();
    this.period = options.period;
  }

  /** One step per epoch: estimate the period (when asked to), report the 1-step errors. */
  protected planTraining(data: TrainData): EpochPlan<Series> {
    return {
      steps: () => [data.train],
      trainStep: (train) => {
        if (this.options.method === 'seasonal-naive' && this.options.period === 0) this.period = estimatePeriod(train, this.options.max_period);
        return meanSquaredError(this.forecastSync(train, 1), train);
      },
      trainReport: (mean) => ({ ...mean, period: this.period }),
      validate: () => (data.validation ? { loss: meanSquaredError(this.forecastSync(data.validation, 1), data.validation) } : undefined),
      epochLine: ({ epoch, train, validation }) => `| end of epoch ${String(epoch).padStart(3)} | 1-step mse ${train.loss!.toFixed(4)}${validation ? ` | valid mse ${validation.loss!.toFixed(4)}` : ''} | period ${this.period} |`,
    };
  }

  async forecast(series: Series, horizon: number): Promise<Forecast> {
    return this.forecastSync(series, horizon);
  }

  private forecastSync(series: Series, horizon: number): Forecast {
    const { rows, channels: C } = series;
    const values = new Float32Array(rows * horizon * C);
    const P = this.options.method === 'seasonal-naive' ? this.period : 0;
    for (let t = 0; t < rows; t++) {
      for (let k = 1; k <= horizon; k++) {
        const source = sourceRow(t, k, P);
        const out = (t * horizon + (k - 1)) * C;
        for (let c = 0; c < C; c++) values[out + c] = series.values[source * C + c]!;
      }
    }
    return { rows, channels: C, horizon, values };
  }

  /**
   * Online forecasts, the same as `forecast()` on the rows pushed so far: the last P rows
   * are kept (a ring), since x_{t+k-P} with k >= 1 lies at most P - 1 rows back.
   */
  async openStream({ horizon }: PredictorStreamOptions): Promise<PredictorStream> {
    const C = this.channels;
    const P = this.options.method === 'seasonal-naive' ? this.period : 0;
    const kept = Math.max(P, 1);
    const history = new Float32Array(kept * C);
    const out = new Float32Array(horizon * C);
    let t = 0;
    return {
      push: (row) => {
        history.set(row, (t % kept) * C);
        for (let k = 1; k <= horizon; k++) {
          const source = sourceRow(t, k, P);
          out.set(history.subarray((source % kept) * C, (source % kept) * C + C), (k - 1) * C);
        }
        t++;
        return { forecast: out };
      },
      dispose: () => {},
    };
  }

  protected async readState(): Promise<PredictorState> {
    return { format: 'baselines/1', tensors: {}, json: { period: this.period, channels: this.channels } };
  }

  protected async writeState(state: PredictorState): Promise<void> {
    if (state.format !== 'baselines/1') throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `baselines: not a baselines checkpoint (format ${state.format}, expected baselines/1)`);
    this.period = Number(state.json.period);
  }

  describe() {
    return { engine: 'js', parameters: 1 };
  }

  dispose(): void {}
}

/** The row whose value predicts row t + k at row t: one season back (P > 0) when it exists and is known at t, else t. */
function sourceRow(t: number, k: number, P: number): number {
  return P > 0 && t + k - P >= 0 && t + k - P <= t ? t + k - P : t;
}

function meanSquaredError(forecast: Forecast, series: Series): number {
  const { rows, channels: C } = series;
  let sum = 0;
  for (let t = 0; t + 1 < rows; t++) for (let c = 0; c < C; c++) sum += (forecast.values[t * forecast.horizon * C + c]! - series.values[(t + 1) * C + c]!) ** 2;
  return sum / Math.max(1, (rows - 1) * C);
}

/**
 * Season length: the shortest lag whose autocorrelation (averaged over channels) is within
 * 2% of the best lag's. Multiples of the true period correlate almost as well, and noise
 * decides which of them wins, so the shortest near-best lag is the stable choice.
 */
export function estimatePeriod(series: Series, maxPeriod: number): number {
  const { rows, channels: C, values } = series;
  const limit = Math.min(maxPeriod, Math.floor(rows / 2));
  const correlations: number[] = [];
  for (let lag = 2; lag <= limit; lag++) {
    let correlation = 0;
    for (let c = 0; c < C; c++) {
      let sxy = 0, sxx = 0, syy = 0;
      for (let t = lag; t < rows; t++) {
        const x = values[t * C + c]!;
        const y = values[(t - lag) * C + c]!;
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
      }
      correlation += sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
    }
    correlations[lag] = correlation / C;
  }
  const best = Math.max(...correlations.filter((c) => c !== undefined));
  if (!Number.isFinite(best)) return 1;
  for (let lag = 2; lag <= limit; lag++) {
    // A local peak close to the best correlation.
    const c = correlations[lag]!;
    if (c >= best - 0.02 * Math.abs(best) && c >= (correlations[lag - 1] ?? -Infinity) && c >= (correlations[lag + 1] ?? -Infinity)) return lag;
  }
  return 1;
}
