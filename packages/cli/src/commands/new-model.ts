import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnomalabError, createAnomalab, findWorkspaceRoot } from '@anomalab/core';
import type { Command } from '../command.ts';

/** The template package (files end in `.tmpl` so the repo's tsc and vitest skip them). */
export const MODEL_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/model/', import.meta.url));

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export interface ScaffoldModelOptions {
  /** Model name (kebab-case): registry name, folder `packages/models/<name>`, package `@anomalab/model-<name>`. */
  name: string;
  /** Workspace root (the folder whose package.json declares `workspaces`). */
  root: string;
  description?: string;
}

export interface ScaffoldResult {
  dir: string;
  files: string[];
  /** Problems that do not stop the scaffold but need the user's attention. */
  warnings: string[];
}

const pascal = (name: string) => name.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
const camel = (name: string) => pascal(name)[0]!.toLowerCase() + pascal(name).slice(1);

function templateFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? templateFiles(path, join(prefix, entry)) : [join(prefix, entry)];
  });
}

/** Why `name` cannot be used, or undefined. Checks the spelling and what exists already (folder, package, registered model). */
export async function invalidModelName(name: string, root: string): Promise<string | undefined> {
  if (!NAME.test(name) || name.length > 50) return `model name "${name}" must be kebab-case (lowercase letters and digits, words joined by "-", starting with a letter), at most 50 characters, e.g. "my-model"`;
  const dir = join(root, 'packages', 'models', name);
  if (existsSync(dir)) return `${relative(process.cwd(), dir) || dir} exists already: choose another name`;
  if (existsSync(join(root, 'node_modules', '@anomalab', `model-${name}`))) return `package @anomalab/model-${name} exists already (node_modules/@anomalab/model-${name})`;
  const app = await createAnomalab({ root });
  if (app.registry.has('model', name)) return `a model named "${name}" is registered already (by ${app.registry.sourceOf('model', name)})`;
  return undefined;
}

/**
 * Create `packages/models/<name>` from the template: package.json with the plugin manifest,
 * plugin registration, options schema with defaults, a small trainable predictor, a test
 * running the conformance suite and a README. Discovery finds it through the workspace's
 * `packages/models/*` glob: no core or CLI change.
 */
export async function scaffoldModel({ name, root, description }: ScaffoldModelOptions): Promise<ScaffoldResult> {
  const problem = await invalidModelName(name, root);
  if (problem) throw new AnomalabError('ANOMALAB_USAGE', problem);
  const text = description?.trim() || `Moving-average forecaster with a learned gain and bias per channel (scaffolded; replace with your model).`;
  const warnings: string[] = [];
  const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
  const globs: string[] = Array.isArray(workspaces) ? workspaces : (workspaces?.packages ?? []);
  if (!globs.includes('packages/models/*') && !globs.includes(`packages/models/${name}`)) {
    warnings.push(`${join(root, 'package.json')}: add "packages/models/*" to "workspaces", or discovery will not find the model`);
  }
  const dir = join(root, 'packages', 'models', name);
  const files: string[] = [];
  for (const template of templateFiles(MODEL_TEMPLATE_DIR)) {
    const target = template.replace(/\.tmpl$/, '');
    const source = readFileSync(join(MODEL_TEMPLATE_DIR, template), 'utf8');
    // The description is user text: quote it for the file's language.
    const quoted = target.endsWith('.md') ? source.replaceAll('__DESCRIPTION__', () => text) : source.replaceAll(/['"]__DESCRIPTION__['"]/g, () => JSON.stringify(text));
    const content = quoted.replaceAll('__PASCAL__', pascal(name)).replaceAll('__CAMEL__', camel(name)).replaceAll('__NAME__', name);
    mkdirSync(join(dir, target, '..'), { recursive: true });
    writeFileSync(join(dir, target), content, { flag: 'wx' });
    files.push(target);
  }
  return { dir, files: files.sort(), warnings };
}

export const newModelCommand: Command = {
  path: ['new', 'model'],
  summary: 'scaffold a model plugin package in packages/models/<name>',
  help: `Usage: anomalab new model <name> [--description <text>] [--root <dir>] [--install]

Creates packages/models/<name> (package @anomalab/model-<name>): package.json with the
plugin manifest, src/index.ts (plugin registration), src/config.ts (options schema with
defaults), a small trainable moving-average forecaster, src/conformance.test.ts (the model
conformance suite) and a README. The model is found by plugin discovery right away:
"anomalab models list" shows it, experiments select it with "model: { name: <name> }" and
"npm test" runs its test.

Afterwards run "npm install" once (or pass --install): it links @anomalab/model-<name>
into node_modules and records the package in package-lock.json (needed for "npm ci").

Options:
  --description <text>  one-line description (plugin, package.json, README)
  --root <dir>          workspace root (default: the nearest folder above the current
                        one whose package.json declares workspaces)
  --install             run "npm install --no-audit --no-fund" in the root afterwards

Guide: docs/writing-a-model-plugin.md`,
  allowPositionals: true,
  options: { description: { type: 'string' }, root: { type: 'string' }, install: { type: 'boolean' } },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new AnomalabError('ANOMALAB_USAGE', 'expected one model name, e.g. anomalab new model my-model\nsee: anomalab new model --help');
    const root = values.root ? resolve(values.root) : findWorkspaceRoot();
    if (!root || !existsSync(join(root, 'package.json'))) throw new AnomalabError('ANOMALAB_USAGE', 'no workspace root found (a folder whose package.json declares "workspaces"): run inside the repository or pass --root');
    const name = positionals[0]!;
    const result = await scaffoldModel({ name, root, description: values.description });
    const shown = relative(process.cwd(), result.dir) || result.dir;
    ctx.out.write(`created ${shown} (model "${name}", package @anomalab/model-${name}):\n${result.files.map((f) => `  ${f}`).join('\n')}\n`);
    for (const warning of result.warnings) ctx.err.write(`warning: ${warning}\n`);
    if (values.install) {
      ctx.out.write('running npm install --no-audit --no-fund ...\n');
      const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8' });
      if (npm.status !== 0) throw new AnomalabError('ANOMALAB_INTERNAL', `npm install failed (exit ${npm.status}): ${(npm.stderr || npm.error?.message || '').trim().split('\n').slice(-5).join('\n')}\nthe package is created; run npm install yourself`);
    }
    ctx.out.write(`
next:
${values.install ? '' : '  npm install                          # link the package, record it in package-lock.json\n'}  npx vitest run ${relative(root, result.dir)}   # its conformance test
  anomalab models list                 # shows "${name}"
  edit ${join(relative(root, result.dir), 'src', 'moving-average-predictor.ts')} (guide: docs/writing-a-model-plugin.md)
`);
    return 0;
  },
};
