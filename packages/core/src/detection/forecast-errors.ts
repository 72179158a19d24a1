import type { ErrorSeries } from '../contracts/detector.ts';
import type { Forecast } from '../contracts/model-plugin.ts';
import type { Series } from '../contracts/series.ts';

/**
 * Where the forecasts made at earlier rows live: `values[start(r) + (k - 1) * channels + c]`
 * is the prediction of row r + k made at row r (one row of `Forecast.values`). The batch
 * path reads a whole `Forecast`, a stream session a ring of the last W forecast rows.
 */
export interface ForecastRows {
  values: Float32Array;
  start(row: number): number;
}

/**
 * The error vectors of row t >= W (reference section 5), one per channel:
 * e_t[j] = (prediction of x_t made k = W - j steps earlier) - x_t, j = 0..W-1, so the
 * vector runs from the oldest (k = W) to the newest (k = 1) prediction. `truth` holds x_t
 * from `truth[truthAt]`; the vectors go to `out[outAt + c * W + j]`. The one formula of
 * both the batch and the streaming path.
 */
export function writeErrorVectors(forecasts: ForecastRows, t: number, channels: number, window: number, truth: ArrayLike<number>, truthAt: number, out: Float32Array, outAt: number): void {
  const predictions = forecasts.values;
  for (let c = 0; c < channels; c++) {
    const x = truth[truthAt + c]!;
    const base = outAt + c * window;
    for (let j = 0; j < window; j++) {
      const k = window - j;
      out[base + j] = predictions[forecasts.start(t - k) + (k - 1) * channels + c]! - x;
    }
  }
}

/** Error vectors of every row of a split from its multi-step forecast (rows before W have none). */
export function errorsFromForecast(forecast: Forecast, target: Series, window: number): ErrorSeries {
  const { rows, channels } = target;
  if (forecast.rows !== rows || forecast.channels !== channels) {
    throw new Error(`forecast is ${forecast.rows}x${forecast.channels}, series is ${rows}x${channels}`);
  }
  if (forecast.horizon < window) throw new Error(`forecast horizon ${forecast.horizon} < window ${window}`);
  const rowLength = forecast.horizon * channels;
  const forecasts: ForecastRows = { values: forecast.values, start: (r) => r * rowLength };
  const values = new Float32Array(rows * channels * window);
  for (let t = window; t < rows; t++) writeErrorVectors(forecasts, t, channels, window, target.values, t * channels, values, t * channels * window);
  return { rows, channels, dim: window, firstValid: Math.min(window, rows), values };
}
