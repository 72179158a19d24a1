import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;

/** `model.options.hidden_size`, `plugins[0]`. */
export function formatPath(path: PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** JSON pointer (`/model/options/x`) to path segments. */
export function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Line and column (1-based) of the node at `path`, or of its key when `atKey` is set. When
 * the path does not exist (a missing key), the nearest existing ancestor is used.
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: PathSegment[],
  atKey = false,
): { line: number; col: number } | undefined {
  let node: Node | null | undefined = doc.contents as Node | null;
  let best: [number, number, number] | undefined = node?.range ?? undefined;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const key = pair.key as Node | null;
      if (last && atKey && key?.range) {
        best = key.range;
        break;
      }
      node = pair.value as Node | null;
      // A key with no value (`options:`) has no value node: point at the key.
      best = node?.range ?? key?.range ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg] as Node | null;
      best = node?.range ?? best;
    } else break;
  }
  if (!best) return undefined;
  return lineCounter.linePos(best[0]);
}
