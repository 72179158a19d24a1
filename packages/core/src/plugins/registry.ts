import { AnomalabError } from '../errors.ts';
import type { DatasetPlugin } from '../contracts/dataset-plugin.ts';
import type { ModelPlugin } from '../contracts/model-plugin.ts';
import type { DetectorPlugin } from '../contracts/detector.ts';
import type { EvaluatorPlugin } from '../contracts/evaluator.ts';

export type AnyPlugin = DatasetPlugin<any> | ModelPlugin<any> | DetectorPlugin<any> | EvaluatorPlugin<any>;
export type PluginKind = AnyPlugin['kind'];

type PluginOf<K extends PluginKind> = Extract<AnyPlugin, { kind: K }>;

/** Plugins by kind and name. Registering a name twice is an error, never a silent replace. */
export class PluginRegistry {
  private readonly byKind = new Map<PluginKind, Map<string, { plugin: AnyPlugin; source: string }>>([
    ['dataset', new Map()],
    ['model', new Map()],
    ['detector', new Map()],
    ['evaluator', new Map()],
  ]);

  register(plugin: AnyPlugin, source = '(inline)'): void {
    const table = this.byKind.get(plugin?.kind as PluginKind);
    if (!table || typeof plugin.name !== 'string' || !plugin.name) {
      throw new AnomalabError('ANOMALAB_PLUGIN_INVALID', `${source}: not an anomalab plugin (needs kind 'dataset' | 'model' | 'detector' | 'evaluator' and a name)`);
    }
    const existing = table.get(plugin.name);
    if (existing) {
      if (existing.plugin === plugin) return;
      throw new AnomalabError(
        'ANOMALAB_PLUGIN_INVALID',
        `${plugin.kind} plugin "${plugin.name}" is registered twice: by ${existing.source} and by ${source}`,
      );
    }
    table.set(plugin.name, { plugin, source });
  }

  has(kind: PluginKind, name: string): boolean {
    return this.byKind.get(kind)!.has(name);
  }

  /** The plugin, or an error listing the available names. */
  get<K extends PluginKind>(kind: K, name: string): PluginOf<K> {
    const entry = this.byKind.get(kind)!.get(name);
    if (!entry) throw new AnomalabError('ANOMALAB_PLUGIN_NOT_FOUND', unknownPluginMessage(kind, name, this.names(kind)));
    return entry.plugin as PluginOf<K>;
  }

  all<K extends PluginKind>(kind: K): PluginOf<K>[] {
    return [...this.byKind.get(kind)!.values()].map((e) => e.plugin as PluginOf<K>);
  }

  names(kind: PluginKind): string[] {
    return [...this.byKind.get(kind)!.keys()].sort();
  }

  sourceOf(kind: PluginKind, name: string): string | undefined {
    return this.byKind.get(kind)!.get(name)?.source;
  }
}

export function unknownPluginMessage(kind: PluginKind, name: string, available: string[]): string {
  return `unknown ${kind} "${name}"; available: ${available.length ? available.join(', ') : '(none registered)'}`;
}
