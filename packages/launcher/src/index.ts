// @anomalab/launcher: the local RunLauncher (child processes with an IPC channel).
export { LocalLauncher } from './local-launcher.ts';
export type { LocalLaunchOptions, LocalLauncherOptions } from './local-launcher.ts';
