import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isScalar, visit, type Document, type LineCounter } from 'yaml';
import type { ConfigProblem } from '../errors.ts';
import type { JSONSchema } from './json-schema.ts';
import { formatPath, type PathSegment } from './yaml-locations.ts';

/**
 * Rules for an experiment that arrives from somewhere less trusted than the user's own
 * files (an HTTP request to the results server). Checked on the PARSED experiment (after
 * YAML parsing and overrides), so no spelling of a key can slip past them, and checked
 * before any plugin module is imported.
 */
export interface RequestPolicy {
  /**
   * Whether the YAML text itself is trusted (an experiment file in the server's
   * experiments folder). When false (inline YAML from a request) the text may not use
   * YAML aliases or merge keys, and `plugins:` must be empty. Overrides are never trusted:
   * they may not change `plugins:` in either case.
   */
  trustedText: boolean;
  /**
   * Folders that files named by options may lie in (absolute; symlinks are resolved on
   * both sides). A file option is a string the plugin's options schema marks with
   * {@link FILE_OPTION_KEYWORD}, such as the csv dataset's `path`.
   */
  dataRoots: string[];
  /** How messages name the data folders (default: "its data folders"; no absolute paths). */
  dataRootsLabel?: string;
}

/**
 * JSON Schema annotation a plugin puts on an option that names a file it will read, e.g.
 * `path: { type: 'string', 'x-anomalab-file': true }`. The request policy confines such
 * options to its data folders; otherwise it is an annotation only (ajv ignores it).
 */
export const FILE_OPTION_KEYWORD = 'x-anomalab-file';

const PLUGINS_MESSAGE = 'plugin modules are code: an experiment sent to the server cannot load them (put the experiment file in the experiments folder instead)';

/**
 * Aliases (`*name`) and merge keys (`<<`) in untrusted text: they can spell a key without
 * writing it (`*k : [...]` where `&k plugins`), and aliases multiply the parsed size
 * (billion laughs). Experiments never need them, so request text may not use them.
 */
export function untrustedYamlProblems(doc: Document, lineCounter: LineCounter, label: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (offset: number | undefined, message: string) => {
    const pos = lineCounter.linePos(offset ?? 0);
    problems.push({ source: label, line: pos.line, col: pos.col, path: '(yaml)', message });
  };
  visit(doc, {
    Alias(_key, node) {
      at(node.range?.[0], `YAML alias *${node.source} is not accepted in an experiment sent to the server; write the value out`);
    },
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<') at(pair.key.range?.[0], 'YAML merge keys (<<) are not accepted in an experiment sent to the server; write the keys out');
    },
  });
  return problems;
}

/**
 * `plugins:` after parsing and overrides must be what the trusted text itself says: none
 * at all for untrusted text, exactly the file's own list for a trusted file.
 */
export function pluginPolicyProblems(
  fromText: unknown,
  final: unknown,
  policy: RequestPolicy,
  where: (path: PathSegment[]) => Pick<ConfigProblem, 'source' | 'line' | 'col'>,
): ConfigProblem[] {
  const allowed = policy.trustedText ? fromText : undefined;
  const isEmpty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (isEmpty(allowed) ? isEmpty(final) : JSON.stringify(allowed) === JSON.stringify(final)) return [];
  return [{ ...where(['plugins']), path: 'plugins', message: PLUGINS_MESSAGE }];
}

/** `[path, value]` of every string option the schema marks as a file (properties and items). */
export function fileOptions(schema: JSONSchema | undefined, value: unknown, path: PathSegment[] = []): Array<[PathSegment[], string]> {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, any>;
  if (s[FILE_OPTION_KEYWORD] && typeof value === 'string') return [[path, value]];
  const out: Array<[PathSegment[], string]> = [];
  if (s.properties && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, sub] of Object.entries(s.properties as Record<string, JSONSchema>)) out.push(...fileOptions(sub, (value as Record<string, unknown>)[key], [...path, key]));
  }
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items) && Array.isArray(value)) {
    value.forEach((item, i) => out.push(...fileOptions(s.items, item, [...path, i])));
  }
  return out;
}

function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Every file option (resolved against `baseDir`, as the plugin will) must lie in one of
 * the policy's data folders, before and after following symlinks. The message is the same
 * whether or not the file exists, so a request cannot probe the file system with it.
 */
export async function dataPathProblems(
  schema: JSONSchema,
  config: unknown,
  baseDir: string,
  policy: RequestPolicy,
  where: (path: PathSegment[]) => Pick<ConfigProblem, 'source' | 'line' | 'col'>,
): Promise<ConfigProblem[]> {
  const roots = await Promise.all(policy.dataRoots.map(async (r) => [resolve(r), await realpath(r).catch(() => resolve(r))] as const));
  const problems: ConfigProblem[] = [];
  for (const [path, value] of fileOptions(schema, config)) {
    const file = resolve(baseDir, value);
    const real = await realpath(file).catch(() => undefined);
    const ok = roots.some(([lexical, realRoot]) => (inside(lexical, file) || inside(realRoot, file)) && (real === undefined || inside(realRoot, real)));
    if (!ok) {
      const folders = policy.dataRootsLabel ?? 'its data folders';
      problems.push({ ...where(path), path: formatPath(path), message: `an experiment sent to the server may only read files inside ${folders}; ${JSON.stringify(value)} is not inside them` });
    }
  }
  return problems;
}
