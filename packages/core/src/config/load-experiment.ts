import { basename, dirname, extname, resolve } from 'node:path';
import { LineCounter, parse as parseYamlValue, parseDocument, isMap, type Document } from 'yaml';
import { ConfigError, type ConfigProblem, AnomalabError } from '../errors.ts';
import type { PluginRegistry, PluginKind } from '../plugins/registry.ts';
import { unknownPluginMessage } from '../plugins/registry.ts';
import { loadPluginModule, resolvePluginSpecifier } from '../plugins/discovery.ts';
import { checkExperimentSize, readExperimentFile } from './experiment-text.ts';
import { dataPathProblems, pluginPolicyProblems, untrustedYamlProblems, type RequestPolicy } from './request-policy.ts';
import { composeExperimentSchema, type ExperimentConfig, type SelectedPluginSchemas } from './experiment-config.ts';
import type { JSONSchema } from './json-schema.ts';
import { validateAgainstSchema } from './validate.ts';
import { nonFiniteNumbers } from './finite-numbers.ts';
import { selectEvaluatorOptions } from '../evaluation/select-evaluators.ts';
import { formatPath, locate, type PathSegment } from './yaml-locations.ts';

export interface ExperimentSource {
  /** Path of the experiment file (read unless `text` or `document` is given). */
  file?: string;
  /** YAML text (e.g. from an HTTP request); `file` then only labels messages. */
  text?: string;
  /** The file already read and parsed (`readExperimentDocument`): it is not parsed again. */
  document?: ExperimentDocument;
  /** `key.path=value` overrides, applied before validation (`--set`). */
  overrides?: string[];
  /**
   * Set for experiments from a request (the results server): checked on the parsed
   * experiment, before any plugin module is imported. See {@link RequestPolicy}.
   */
  policy?: RequestPolicy;
}

export interface LoadedExperiment {
  config: ExperimentConfig;
  /** The schema the file was validated against. */
  schema: JSONSchema;
  /** Label used in messages (the file path or `<inline>`). */
  source: string;
  /** Directory relative paths in the experiment resolve against. */
  baseDir: string;
}

/** An experiment file read and parsed once (YAML with source positions), before overrides. */
export interface ExperimentDocument {
  /** Label used in messages (the file path or `<inline>`). */
  source: string;
  file?: string;
  baseDir: string;
  doc: Document;
  lineCounter: LineCounter;
}

const OVERRIDE = /^([A-Za-z_$][\w$-]*(?:\.(?:[\w$-]+))*)=(.*)$/s;

/**
 * Read and parse an experiment file (or text) once. YAML syntax errors throw a ConfigError
 * with positions; everything else is checked by `loadExperiment`. The document can be
 * inspected (e.g. for `matrix:`) and then loaded without reading or parsing it again.
 */
export async function readExperimentDocument(source: Pick<ExperimentSource, 'file' | 'text' | 'policy'>): Promise<ExperimentDocument> {
  const label = source.file ?? '<inline>';
  const baseDir = source.file ? dirname(resolve(source.file)) : process.cwd();
  let text = source.text;
  if (text === undefined) {
    if (!source.file) throw new AnomalabError('ANOMALAB_USAGE', 'no experiment file given');
    text = await readExperimentFile(source.file, label);
  }
  checkExperimentSize(text, label);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { source: label, line: pos.line, col: pos.col, path: '(yaml)', message: e.message.split('\n')[0]! };
  });
  if (source.policy && !source.policy.trustedText) problems.push(...untrustedYamlProblems(doc, lineCounter, label));
  if (problems.length) throw new ConfigError(problems);
  return { source: label, file: source.file, baseDir, doc, lineCounter };
}

/** The document as plain data; an alias bomb (billion laughs) is a ConfigError, not a crash. */
export function experimentData(document: ExperimentDocument): Record<string, any> {
  return toData(document.doc, document.source) as Record<string, any>;
}

/**
 * Read, override, validate and complete an experiment. Throws ConfigError with every
 * problem found (`file:line:col: path: message`), or returns the resolved config.
 */
export async function loadExperiment(source: ExperimentSource, registry: PluginRegistry): Promise<LoadedExperiment> {
  const document = source.document ?? (await readExperimentDocument(source));
  const { doc, lineCounter, source: label } = document;
  const problems: ConfigProblem[] = [];
  if (doc.contents === null) doc.contents = doc.createNode({}) as any;
  if (!isMap(doc.contents)) throw new ConfigError([{ source: label, line: 1, col: 1, path: '', message: 'an experiment must be a YAML mapping (key: value pairs)' }]);

  // What the text itself says, before overrides (only a trusted file's own plugins may load).
  const textPlugins = source.policy?.trustedText ? (toData(doc, label) as Record<string, unknown>).plugins : undefined;
  const overridden = applyOverrides(doc, source.overrides ?? [], problems);
  const where = (path: PathSegment[], atKey = false): Pick<ConfigProblem, 'source' | 'line' | 'col'> => {
    const fromOverride = overridden.find((o) => startsWith(path, o.path) || startsWith(o.path, path));
    if (fromOverride) return { source: fromOverride.label };
    const pos = locate(doc, lineCounter, path, atKey);
    return { source: label, line: pos?.line, col: pos?.col };
  };
  const data = experimentData(document);
  if (source.policy) {
    // Before anything is imported: a refused request must not run a module either.
    const forbidden = pluginPolicyProblems(textPlugins, data.plugins, source.policy, where);
    if (forbidden.length) throw new ConfigError(forbidden);
  }
  const name = document.file ? basename(document.file, extname(document.file)) : 'experiment';
  return completeExperiment(data, registry, { label, baseDir: document.baseDir, name, where, problems, policy: source.policy });
}

/**
 * Validate an experiment that is already a plain object: a run's resolved config.json
 * (resume, `anomalab score`) or an expanded sweep entry. No YAML is parsed; `--set`
 * overrides apply to the object. Problems name `source` and the key path (no line). For a
 * resolved config this is a check only: its defaults are already filled in.
 */
export async function loadExperimentObject(
  config: Record<string, unknown>,
  registry: PluginRegistry,
  options: { source: string; baseDir: string; overrides?: string[]; name?: string },
): Promise<LoadedExperiment> {
  const data = structuredClone(config) as Record<string, any>;
  const problems: ConfigProblem[] = [];
  const overridden: { path: PathSegment[]; label: string }[] = [];
  for (const expr of options.overrides ?? []) {
    const parsed = parseOverride(expr);
    if ('message' in parsed) {
      problems.push(parsed);
      continue;
    }
    if (!setIn(data, parsed.path, parsed.value)) {
      problems.push({ source: `--set ${expr}`, path: formatPath(parsed.path), message: 'cannot set this key: a parent of it is not a mapping' });
      continue;
    }
    overridden.push({ path: parsed.path, label: `--set ${expr}` });
  }
  const where = (path: PathSegment[]): Pick<ConfigProblem, 'source'> => ({
    source: overridden.find((o) => startsWith(path, o.path) || startsWith(o.path, path))?.label ?? options.source,
  });
  // No lines to sort by: list problems in the object's key order, as a file would.
  const order = keyOrder(data);
  const rank = (p: ConfigProblem) => (p.source === options.source ? (order.get(p.path) ?? Infinity) : Infinity);
  const sort = (list: ConfigProblem[]) => [...list].sort((a, b) => rank(a) - rank(b));
  return completeExperiment(data, registry, { label: options.source, baseDir: options.baseDir, name: options.name ?? 'experiment', where, problems, sort });
}

/** Formatted key path -> its position in a depth-first walk of `data` (document order). */
function keyOrder(data: unknown): Map<string, number> {
  const order = new Map<string, number>([['', 0]]);
  const walk = (value: unknown, path: PathSegment[]) => {
    if (typeof value !== 'object' || value === null) return;
    const entries: [PathSegment, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) {
      order.set(formatPath([...path, key]), order.size);
      walk(child, [...path, key]);
    }
  };
  walk(data, []);
  return order;
}

/** Set `path` in a plain object, creating mappings on the way; false when a parent is not a mapping. */
function setIn(data: Record<string, any>, path: PathSegment[], value: unknown): boolean {
  let node: any = data;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    node = node[key];
    if (typeof node !== 'object' || node === null) return false;
  }
  node[path.at(-1)!] = value;
  return true;
}

/**
 * The shared half of loading: experiment-local plugin modules, the schema composed from the
 * selected plugins, validation with defaults, the series name check and the default name.
 */
async function completeExperiment(
  data: Record<string, any>,
  registry: PluginRegistry,
  context: {
    label: string;
    baseDir: string;
    /** `name` when the experiment sets none. */
    name: string;
    where: (path: PathSegment[], atKey?: boolean) => Pick<ConfigProblem, 'source' | 'line' | 'col'>;
    problems: ConfigProblem[];
    /** Order of the reported problems (default: by line and column). */
    sort?: (problems: ConfigProblem[]) => ConfigProblem[];
    /** A request's policy (see loadExperiment): data files only inside the allowed folders. */
    policy?: RequestPolicy;
  },
): Promise<LoadedExperiment> {
  const { where, problems, baseDir } = context;
  const nonFinite = nonFiniteNumbers(data);
  for (const issue of nonFinite) problems.push({ ...where(issue.path), path: formatPath(issue.path), message: issue.message });

  // Experiment-local plugin modules first, so their names can be selected below.
  if (Array.isArray(data.plugins)) {
    for (const [i, spec] of data.plugins.entries()) {
      if (typeof spec !== 'string') continue; // the schema reports the type
      try {
        await loadPluginModule(registry, resolvePluginSpecifier(spec, baseDir));
      } catch (error) {
        problems.push({ ...where(['plugins', i]), path: formatPath(['plugins', i]), message: (error as Error).message });
      }
    }
  }

  const selected: SelectedPluginSchemas = {};
  const pick = <K extends PluginKind>(kind: K, section: string, fallback?: string) => {
    const name = data[section]?.name ?? fallback;
    if (typeof name !== 'string') return undefined;
    if (!registry.has(kind, name)) {
      problems.push({ ...where([section, 'name']), path: `${section}.name`, message: unknownPluginMessage(kind, name, registry.names(kind)) });
      return undefined;
    }
    return registry.get(kind, name);
  };
  const dataset = pick('dataset', 'dataset');
  const model = pick('model', 'model');
  const detector = pick('detector', 'detector', 'gaussian');
  // An unknown plugin's options cannot be checked: accept any object there.
  const anyObject = { type: 'object' };
  selected.dataset = dataset ? dataset.optionsSchema : data.dataset?.name !== undefined ? anyObject : undefined;
  selected.model = model ? model.optionsSchema : data.model?.name !== undefined ? anyObject : undefined;
  selected.detector = detector ? detector.optionsSchema : anyObject;
  selected.trainingDefaults = model?.trainingDefaults;

  const schema = composeExperimentSchema(selected);
  for (const issue of validateAgainstSchema(schema, data)) {
    // A non-finite number is reported once above, not again as "must be integer".
    if (nonFinite.some((n) => formatPath(n.path) === formatPath(issue.path))) continue;
    problems.push({ ...where(issue.path, issue.atKey), path: formatPath(issue.path), message: issue.message });
  }

  if (context.policy) problems.push(...(await dataPathProblems(schema, data, baseDir, context.policy, where)));

  if (data.evaluation && typeof data.evaluation === 'object') {
    data.evaluation.metrics = selectEvaluatorOptions(registry, data.evaluation.metrics, (path, message, atKey) =>
      problems.push({ ...where(path, atKey), path: formatPath(path), message }),
    );
  }

  if (dataset && typeof data.dataset?.series === 'string') {
    const known = dataset.listSeries().map((s) => s.name);
    if (known.length && !known.includes(data.dataset.series)) {
      problems.push({
        ...where(['dataset', 'series']),
        path: 'dataset.series',
        message: `unknown series "${data.dataset.series}" of dataset "${dataset.name}"; available: ${known.join(', ')}`,
      });
    }
  }

  if (problems.length) throw new ConfigError((context.sort ?? sortProblems)(problems));
  data.name ??= context.name;
  return { config: data as ExperimentConfig, schema, source: context.label, baseDir };
}

/** The document as plain data; an alias bomb (billion laughs) is a ConfigError, not a crash. */
function toData(doc: Document, label: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses documents whose aliases expand exponentially ("billion laughs").
    throw new ConfigError([{ source: label, line: 1, col: 1, path: '(yaml)', message: `cannot expand the document: ${(error as Error).message}` }]);
  }
}

/** Parse `key.path=value` (value as YAML) or return the problem with it. */
export function parseOverride(expr: string): { path: PathSegment[]; value: unknown } | ConfigProblem {
  const label = `--set ${expr}`;
  const match = OVERRIDE.exec(expr);
  if (!match) return { source: label, path: '', message: 'expected key.path=value, e.g. --set training.epochs=5' };
  const path = match[1]!.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  try {
    return { path, value: match[2] === '' ? '' : parseYamlValue(match[2]!) };
  } catch (error) {
    return { source: label, path: formatPath(path), message: `value is not valid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
}

function applyOverrides(doc: Document, overrides: string[], problems: ConfigProblem[]): { path: PathSegment[]; label: string }[] {
  const applied: { path: PathSegment[]; label: string }[] = [];
  for (const expr of overrides) {
    const label = `--set ${expr}`;
    const parsed = parseOverride(expr);
    if ('message' in parsed) {
      problems.push(parsed);
      continue;
    }
    const { path, value } = parsed;
    try {
      doc.setIn(path, doc.createNode(value));
      applied.push({ path, label });
    } catch {
      problems.push({ source: label, path: formatPath(path), message: 'cannot set this key: a parent of it is not a mapping' });
    }
  }
  return applied;
}

function startsWith(path: PathSegment[], prefix: PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => String(seg) === String(path[i]));
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0));
}
