import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { AnomalabError } from '../errors.ts';
import type { RunStore } from '../contracts/run-store.ts';
import type { PredictorStream } from '../contracts/stream.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { RunLogger } from '../logging/run-logger.ts';
import { SeededRandom } from '../random.ts';
import { createPluginScope } from '../pipeline/plugin-scope.ts';
import { readScoringRun, restoreScoringModel } from '../pipeline/scoring-run.ts';
import { StreamSession } from './stream-session.ts';

export interface OpenRunStreamOptions {
  /** Parent DI container of the plugin scope (default: tsyringe's root container). */
  container?: DependencyContainer;
}

/**
 * A stream session over a completed run, loaded as `anomalab score` loads it (see
 * pipeline/scoring-run.ts): the weights that scored (final or best), the detector fitted for
 * them, the run's train statistics, window and deployable thresholds. Models that do not
 * implement `Predictor.openStream` are refused with an error naming the model. Dispose the
 * session when done (it owns the predictor).
 */
export async function openRunStream(registry: PluginRegistry, runStore: RunStore, runId: string, options: OpenRunStreamOptions = {}): Promise<StreamSession> {
  const scoring = await readScoringRun(runStore, runId);
  const { run, config, results } = scoring;
  const model = config.model.name;
  const { services } = createPluginScope(options.container ?? rootContainer, {
    logger: new RunLogger({ quiet: true }),
    checkpoints: runStore.checkpoints(run.id),
    runStore,
    random: new SeededRandom(config.seed),
  });
  const restored = await restoreScoringModel(registry, runStore, scoring, services);
  const { predictor } = restored;
  let stream: PredictorStream | undefined;
  try {
    if (!predictor.openStream) {
      throw new AnomalabError('ANOMALAB_USAGE', `run ${run.id}: model "${model}" cannot stream (it does not implement Predictor.openStream); score whole series with \`anomalab score ${run.id} --series <dataset>/<series>\` instead`);
    }
    const opened = (stream = await predictor.openStream({ horizon: results.window }));
    return new StreamSession({
      stream: {
        push: (row) => opened.push(row),
        pushRows: opened.pushRows ? (rows, count) => opened.pushRows!(rows, count) : undefined,
        finish: opened.finish ? () => opened.finish!() : undefined,
        // The session owns the predictor: releasing the stream releases both.
        dispose: () => {
          try {
            opened.dispose();
          } finally {
            predictor.dispose();
          }
        },
      },
      detector: restored.detector,
      standardization: results.standardization,
      window: results.window,
      thresholds: restored.thresholds,
      channelNames: results.channels.map((c) => c.channel),
      hasJoint: results.joint !== null,
      model,
    });
  } catch (error) {
    try {
      stream?.dispose();
    } finally {
      predictor.dispose();
    }
    throw error;
  }
}
