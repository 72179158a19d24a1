import type { DependencyContainer } from 'tsyringe';
import type { CheckpointStore } from '../contracts/checkpoint-store.ts';
import type { RunStore } from '../contracts/run-store.ts';
import {
  CheckpointStoreToken,
  LoggerToken,
  RandomToken,
  RunStoreToken,
  BackendRecorderToken,
  SettingsToken,
  type AnomalabSettings,
  type Logger,
  type PluginServices,
  type Random,
} from '../contracts/services.ts';

export interface ScopeServices {
  logger: Logger;
  checkpoints: CheckpointStore;
  runStore: RunStore;
  random: Random;
  /** Stores the backend a plugin reports (`PluginServices.recordBackend`); default: ignored. */
  recordBackend?: (backend: string) => Promise<void>;
}

/**
 * A child DI scope holding one run's (or one scoring job's) shared services, and the
 * services resolved from it as plugins receive them. Every place that hands services to
 * plugins goes through here, so the tokens and the services stay in one list. The
 * process-wide settings come from the parent container (see `createAnomalabContainer`).
 */
export function createPluginScope(parent: DependencyContainer, services: ScopeServices): { scope: DependencyContainer; services: PluginServices } {
  const scope = parent.createChildContainer();
  scope.registerInstance(LoggerToken, services.logger);
  scope.registerInstance(CheckpointStoreToken, services.checkpoints);
  scope.registerInstance(RunStoreToken, services.runStore);
  scope.registerInstance(RandomToken, services.random);
  scope.registerInstance(BackendRecorderToken, services.recordBackend ?? (async () => {}));
  return { scope, services: resolvePluginServices(scope) };
}

/** The shared services of a scope, as plugins receive them. */
export function resolvePluginServices(scope: DependencyContainer): PluginServices {
  return {
    logger: scope.resolve(LoggerToken),
    checkpoints: scope.resolve(CheckpointStoreToken),
    runStore: scope.resolve(RunStoreToken),
    random: scope.resolve(RandomToken),
    recordBackend: scope.resolve(BackendRecorderToken),
    settings: resolveSettings(scope),
  };
}

/** Settings registered in the container, else the environment's (a bare container in tests). */
export function resolveSettings(scope: DependencyContainer): AnomalabSettings {
  return scope.isRegistered(SettingsToken, true) ? scope.resolve(SettingsToken) : settingsFromEnvironment();
}

/** `ANOMALAB_BACKEND` / `ANOMALAB_DATA_MIRROR`, for settings not given on the command line. */
export function settingsFromEnvironment(overrides: Partial<AnomalabSettings> = {}): AnomalabSettings {
  const backend = overrides.backend ?? ((process.env.ANOMALAB_BACKEND || 'auto') as AnomalabSettings['backend']);
  const dataMirror = overrides.dataMirror ?? (process.env.ANOMALAB_DATA_MIRROR || undefined);
  return { backend, ...(dataMirror !== undefined ? { dataMirror } : {}) };
}
