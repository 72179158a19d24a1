import { AnomalabError } from '../../errors.ts';
import type { LoadedSeries } from '../../contracts/dataset-plugin.ts';
import type { Split } from '../../contracts/series.ts';
import { channelStats, standardize, type ChannelStats } from '../standardize.ts';
import type { RunContext } from './open-run.ts';

export interface PreparedData {
  loaded: LoadedSeries;
  channels: number;
  /** Train statistics both splits were standardised with (identity when standardize is off). */
  stats: ChannelStats;
  train: Split;
  test: Split;
}

/** Load stage: load the series and standardise both splits with train statistics (reference section 1). */
export async function loadData(ctx: RunContext): Promise<PreparedData> {
  const { config, logger, plugins } = ctx;
  const loaded = await plugins.dataset.load({ series: config.dataset.series, options: config.dataset.options, baseDir: ctx.options.baseDir, services: ctx.services, signal: ctx.options.signal });
  const channels = loaded.channelNames.length;
  logger.info(`data: ${loaded.id}, ${channels} channel(s) [${loaded.channelNames.join(', ')}], train ${loaded.train.rows} rows, test ${loaded.test.rows} rows${loaded.labelled ? '' : ' (unlabelled)'}`);
  if (plugins.model.capabilities?.univariateOnly && channels > 1) {
    throw new AnomalabError('ANOMALAB_CONFIG_INVALID', `model "${plugins.model.name}" handles one channel only; ${loaded.id} has ${channels}`);
  }
  const stats = config.preprocess.standardize ? channelStats(loaded.train) : { mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
  stats.std.forEach((s, c) => s === 0 && logger.warn(`channel ${loaded.channelNames[c]} is constant on the train split: centred, not scaled`));
  const train = config.preprocess.standardize ? standardize(loaded.train, stats) : loaded.train;
  const test = config.preprocess.standardize ? standardize(loaded.test, stats) : loaded.test;
  return { loaded, channels, stats, train, test };
}
