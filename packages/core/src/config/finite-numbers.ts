import type { PathSegment } from './yaml-locations.ts';

/**
 * Where `data` holds a number that is not finite: YAML reads `.inf`, `-.inf` and `.nan` as
 * numbers and `1e400` overflows to Infinity, and JSON Schema's `type: number` accepts all
 * of them (`epochs: .inf` would train forever and be stored as `null`). Every number of an
 * experiment must be finite, whatever its schema says.
 */
export function nonFiniteNumbers(data: unknown, path: PathSegment[] = []): { path: PathSegment[]; message: string }[] {
  if (typeof data === 'number') {
    return Number.isFinite(data) ? [] : [{ path, message: `must be a finite number, got ${describeNonFinite(data)}` }];
  }
  if (Array.isArray(data)) return data.flatMap((item, i) => nonFiniteNumbers(item, [...path, i]));
  if (data !== null && typeof data === 'object') return Object.entries(data).flatMap(([key, value]) => nonFiniteNumbers(value, [...path, key]));
  return [];
}

function describeNonFinite(value: number): string {
  if (Number.isNaN(value)) return 'NaN (.nan)';
  const sign = value > 0 ? '' : '-';
  return `${sign}infinity (${sign}.inf, or a number beyond ±1.8e308 such as ${sign}1e400)`;
}
