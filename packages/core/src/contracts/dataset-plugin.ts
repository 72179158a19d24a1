import type { JSONSchema } from '../config/json-schema.ts';
import type { Split } from './series.ts';
import type { PluginServices } from './services.ts';

export interface SeriesInfo {
  /** Series name inside its dataset, e.g. `chfdb_chf13_45590`. Shown as `<dataset>/<series>`. */
  name: string;
  /** One-line description. */
  description?: string;
  channels?: string[];
  labelled: boolean;
}

/** A dataset plugin's answer to `load()`: one series cut into train/test splits. */
export interface LoadedSeries {
  /** `<dataset>/<series>`. */
  id: string;
  channelNames: string[];
  train: Split;
  test: Split;
  /** Whether labels exist (false: the series can be scored but not evaluated). */
  labelled: boolean;
  /** Free-form facts shown to users and stored with the run (source, citation, caveats...). */
  metadata: Record<string, unknown>;
}

export interface DatasetLoadRequest<Options = Record<string, unknown>> {
  /** Series name inside the dataset; undefined selects the plugin's default series. */
  series?: string;
  /** `dataset.options` after validation against `optionsSchema` (defaults applied). */
  options: Options;
  /** Directory of the experiment file, for resolving relative paths in options. */
  baseDir: string;
  services: PluginServices;
  signal?: AbortSignal;
}

/**
 * A source of time series. Register one per dataset (e.g. `ecg`, `synthetic`, `csv`).
 *
 * Plugins must be cheap to import: do file or network work inside `load()`.
 */
export interface DatasetPlugin<Options = Record<string, unknown>> {
  readonly kind: 'dataset';
  /** Registry name, used as `dataset.name` in experiments. */
  readonly name: string;
  readonly description: string;
  /** Citation/source and caveats shown by `anomalab datasets info`. */
  readonly about?: Record<string, string>;
  /**
   * JSON Schema of `dataset.options` (with defaults). Omit when there are no options. Mark an
   * option that names a file to read with `'x-anomalab-file': true` (FILE_OPTION_KEYWORD):
   * the results server then keeps it inside its data folders.
   */
  readonly optionsSchema?: JSONSchema;
  /** The series this dataset offers. Called by `datasets list` and for validation. */
  listSeries(): SeriesInfo[];
  /**
   * Optional: make every series available offline (download, verify, cache). Called by
   * `anomalab datasets fetch`. Plugins without remote data omit it.
   */
  prefetch?(services: Pick<PluginServices, 'logger' | 'settings'>): Promise<void>;
  /** Load one series into train/test splits. Errors name the file/field at fault. */
  load(request: DatasetLoadRequest<Options>): Promise<LoadedSeries>;
}
