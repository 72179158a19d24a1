import { Ajv, type ErrorObject } from 'ajv';
import type { JSONSchema } from './json-schema.ts';
import { pointerToPath, type PathSegment } from './yaml-locations.ts';

export interface SchemaIssue {
  path: PathSegment[];
  /** Point at the key rather than the value (unknown keys). */
  atKey: boolean;
  message: string;
}

function createAjv(): Ajv {
  // allErrors: report every problem at once; useDefaults: fill in defaults while validating.
  return new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
}

/** Validate `data` in place (defaults are applied to it) and return readable issues. */
export function validateAgainstSchema(schema: JSONSchema, data: unknown): SchemaIssue[] {
  const validate = createAjv().compile(schema);
  if (validate(data)) return [];
  const issues = (validate.errors ?? []).map((e) => toIssue(e, data));
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path.join('.')}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function valueAt(data: unknown, path: PathSegment[]): unknown {
  let v: any = data;
  for (const seg of path) v = v?.[seg as any];
  return v;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // JSON.stringify(NaN) is "null": numbers are printed as themselves.
  if (typeof value === 'number') return `number ${String(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function toIssue(error: ErrorObject, data: unknown): SchemaIssue {
  const path = pointerToPath(error.instancePath);
  const value = valueAt(data, path);
  const params = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = params.additionalProperty as string;
      const allowed = Object.keys((error.parentSchema as any)?.properties ?? {});
      const guess = closest(key, allowed);
      const hint = guess ? `did you mean "${guess}"?` : allowed.length ? `allowed keys: ${allowed.join(', ')}` : 'no keys are allowed here';
      return { path: [...path, key], atKey: true, message: `unknown key "${key}"; ${hint}` };
    }
    case 'required':
      return { path, atKey: false, message: `missing required key "${params.missingProperty}"` };
    case 'type':
      return { path, atKey: false, message: `must be ${params.type}, got ${describe(value)}` };
    case 'enum':
      return { path, atKey: false, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}` };
    case 'const':
      return { path, atKey: false, message: `must be ${JSON.stringify(params.allowedValue)}, got ${describe(value)}` };
    default:
      return { path, atKey: false, message: `${error.message}${value !== undefined && typeof value !== 'object' ? `, got ${describe(value)}` : ''}` };
  }
}

/** The allowed key closest to a misspelled one (edit distance <= 1/3 of its length). */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment). */
function levenshtein(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
