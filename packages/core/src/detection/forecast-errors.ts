import type { ErrorSeries } from '../contracts/detector.ts';
import type { Forecast } from '../contracts/model-plugin.ts';
import type { Series } from '../contracts/series.ts';

/**
 * Error vectors from multi-step forecasts (reference section 5): for row t >= W,
 * e_t[j] = (prediction of x_t made k = W - j steps earlier) - x_t, j = 0..W-1, so the
 * vector runs from the oldest (k = W) to the newest (k = 1) prediction.
 */
export function errorsFromForecast(forecast: Forecast, target: Series, window: number): ErrorSeries {
  const { rows, channels } = target;
  if (forecast.rows !== rows || forecast.channels !== channels) {
    throw new Error(`forecast is ${forecast.rows}x${forecast.channels}, series is ${rows}x${channels}`);
  }
  if (forecast.horizon < window) throw new Error(`forecast horizon ${forecast.horizon} < window ${window}`);
  const H = forecast.horizon;
  const values = new Float32Array(rows * channels * window);
  for (let t = window; t < rows; t++) {
    for (let c = 0; c < channels; c++) {
      const truth = target.values[t * channels + c]!;
      const base = (t * channels + c) * window;
      for (let j = 0; j < window; j++) {
        const k = window - j;
        values[base + j] = forecast.values[((t - k) * H + (k - 1)) * channels + c]! - truth;
      }
    }
  }
  return { rows, channels, dim: window, firstValid: Math.min(window, rows), values };
}
