import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AnomalabError } from '../errors.ts';
import type { AnyPlugin, PluginRegistry } from './registry.ts';

/**
 * How plugins are found (no core edit needed to add one):
 * 1. Every package of the workspace (root package.json `workspaces`) and every package in
 *    `node_modules/@anomalab/` and `node_modules/anomalab-plugin-*` whose package.json has
 *    `"anomalab": { "plugins": ["./src/index.ts"] }` is imported; each listed module
 *    default-exports a plugin or an array of plugins.
 * 2. An experiment's `plugins:` list names further modules (paths relative to the
 *    experiment file, or package names).
 */
export interface PluginManifest {
  plugins: string[];
}

/** The nearest folder at or above `start` whose package.json declares `workspaces`. */
export function findWorkspaceRoot(start = process.cwd()): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).workspaces) return dir;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function expandWorkspaceGlob(root: string, pattern: string): string[] {
  // npm workspaces in practice: `dir`, `dir/*`. Deeper globs are not used here.
  if (!pattern.includes('*')) return [join(root, pattern)];
  const [base, rest] = pattern.split('/*');
  if (rest) throw new AnomalabError('ANOMALAB_INTERNAL', `unsupported workspaces pattern ${pattern}`);
  const dir = join(root, base!);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((p) => statSync(p).isDirectory());
}

/** Package folders that may hold plugins. */
export function candidatePackageDirs(root: string): string[] {
  const dirs = new Set<string>();
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const workspaces: string[] = Array.isArray(rootPkg.workspaces) ? rootPkg.workspaces : (rootPkg.workspaces?.packages ?? []);
  // realpath: workspace packages are also symlinked into node_modules; count them once.
  const add = (dir: string) => {
    try {
      dirs.add(realpathSync(dir));
    } catch {
      // dangling link
    }
  };
  for (const pattern of workspaces) for (const dir of expandWorkspaceGlob(root, pattern)) add(dir);
  const modules = join(root, 'node_modules');
  const scoped = join(modules, '@anomalab');
  if (existsSync(scoped)) for (const name of readdirSync(scoped)) add(join(scoped, name));
  if (existsSync(modules)) for (const name of readdirSync(modules)) if (name.startsWith('anomalab-plugin-')) add(join(modules, name));
  return [...dirs];
}

/** Module files of the plugin packages found under `root`, via their package.json manifests. */
export function manifestModules(root: string): string[] {
  const modules = new Set<string>();
  for (const dir of candidatePackageDirs(root)) {
    const pkgPath = join(dir, 'package.json');
    if (!existsSync(pkgPath)) continue;
    let manifest: PluginManifest | undefined;
    try {
      manifest = JSON.parse(readFileSync(pkgPath, 'utf8')).anomalab;
    } catch {
      continue;
    }
    for (const entry of manifest?.plugins ?? []) modules.add(resolve(dir, entry));
  }
  return [...modules].sort();
}

/** Resolve a `plugins:` entry of an experiment: a path relative to the experiment, or a package. */
export function resolvePluginSpecifier(specifier: string, baseDir: string): string {
  // Relative only: an experiment that names /somewhere/x.ts stops working when it is moved or shared.
  if (isAbsolute(specifier)) {
    throw new AnomalabError('ANOMALAB_PLUGIN_NOT_FOUND', `plugin module "${specifier}" is an absolute path; give a path relative to the experiment file (./my-plugin.ts) or a package name`);
  }
  if (specifier.startsWith('.')) return resolve(baseDir, specifier);
  try {
    return createRequire(join(baseDir, 'noop.js')).resolve(specifier);
  } catch (cause) {
    throw new AnomalabError('ANOMALAB_PLUGIN_NOT_FOUND', `cannot resolve plugin module "${specifier}" from ${baseDir}`, { cause });
  }
}

/** Import a plugin module and register what it exports (default export: plugin or array). */
export async function loadPluginModule(registry: PluginRegistry, modulePath: string): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(modulePath).href);
  } catch (cause) {
    throw new AnomalabError('ANOMALAB_PLUGIN_INVALID', `cannot load plugin module ${modulePath}: ${(cause as Error).message}`, { cause });
  }
  const exported = mod.default ?? mod.plugins;
  const plugins = (Array.isArray(exported) ? exported : [exported]) as AnyPlugin[];
  if (!exported) throw new AnomalabError('ANOMALAB_PLUGIN_INVALID', `${modulePath}: plugin modules must default-export a plugin or an array of plugins`);
  for (const plugin of plugins) registry.register(plugin, modulePath);
}

const loaded = new WeakMap<PluginRegistry, Set<string>>();

/**
 * Register every discovered plugin module (once per registry and module). A package whose
 * module fails to load does not take the others down: its error is returned (and its
 * plugins stay unavailable, so selecting one reports the list of available names).
 */
export async function discoverPlugins(registry: PluginRegistry, options: { root?: string; modules?: string[] } = {}): Promise<Error[]> {
  const seen = loaded.get(registry) ?? new Set<string>();
  loaded.set(registry, seen);
  const root = options.root ?? findWorkspaceRoot();
  const modules = [...(root ? manifestModules(root) : []), ...(options.modules ?? [])];
  const failures: Error[] = [];
  for (const path of modules) {
    if (seen.has(path)) continue;
    seen.add(path);
    try {
      await loadPluginModule(registry, path);
    } catch (error) {
      failures.push(error as Error);
    }
  }
  return failures;
}
