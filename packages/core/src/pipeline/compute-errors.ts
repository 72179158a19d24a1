import { AnomalabError } from '../errors.ts';
import type { ErrorSeries } from '../contracts/detector.ts';
import type { Forecast, Predictor } from '../contracts/model-plugin.ts';
import type { Series } from '../contracts/series.ts';
import { errorsFromForecast } from '../detection/forecast-errors.ts';

export interface SplitErrors {
  errors: ErrorSeries;
  /** Present for forecasting models (kept for the plot series). */
  forecast?: Forecast;
  durationMs: number;
}

/**
 * W-step error vectors of a split: from the model's (batched) forecast, or from models
 * that produce their own error vectors.
 */
export async function computeErrors(predictor: Predictor, modelName: string, split: Series, window: number): Promise<SplitErrors> {
  const started = Date.now();
  if (predictor.forecast) {
    const forecast = await predictor.forecast(split, window);
    return { errors: errorsFromForecast(forecast, split, window), forecast, durationMs: Date.now() - started };
  }
  if (predictor.errors) return { errors: await predictor.errors(split, window), durationMs: Date.now() - started };
  throw new AnomalabError('ANOMALAB_PLUGIN_INVALID', `model "${modelName}" implements neither forecast() nor errors()`);
}
