// Small DOM and formatting helpers shared by the pages (no framework).

/**
 * Create an element. `attrs` keys starting with `on` add listeners; `class`, `text` and
 * `html`-free children (strings become text nodes, so nothing from the API is parsed as HTML).
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node|string|number|null|undefined|false|Array<any>)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node && typeof value !== 'string') /** @type {any} */ (node)[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** @param {Node} node @param {any[]} children */
function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the contents of `node`. @param {Element} node @param {...any} children */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** @param {string} status */
export function badge(status) {
  return el('span', { class: `badge ${status}`, dataset: { status } }, status);
}

/** Fixed 4 decimals, or an en dash for missing values. @param {number|null|undefined} v */
export function num(v, digits = 4) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** @param {number|null|undefined} ms */
export function duration(ms) {
  if (typeof ms !== 'number') return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** @param {string|undefined} iso */
export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString()}`;
}

/** A compact local time for tables ("Nov 27, 07:48"); `when` gives the full one. @param {string|undefined|null} iso */
export function whenShort(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** An error box; lists config problems as `file:line:col: path: message`. @param {any} error */
export function errorBox(error) {
  const problems = error?.problems;
  return el(
    'div',
    { class: 'error', role: 'alert' },
    el('strong', {}, error?.code ? `${error.code}: ` : ''),
    error?.message ?? String(error),
    problems?.length
      ? el('ul', { class: 'problems' }, problems.map((/** @type {any} */ p) => el('li', {}, `${p.source}${p.line ? `:${p.line}:${p.col ?? 1}` : ''}: ${p.path || '(root)'}: ${p.message}`)))
      : null,
  );
}

/** Link to a run page. @param {string} id */
export function runLink(id) {
  return el('a', { href: `#/run/${encodeURIComponent(id)}` }, id);
}

/** Series colours, readable on white. */
export const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#78716c'];

/**
 * A log view that stays fast under thousands of lines a second: lines are buffered and
 * written once per animation frame, only the last `keep` are shown, and it follows the
 * tail unless the user has scrolled up.
 * @param {HTMLElement} box
 * @param {number} [keep]
 * @returns {{ push(line: string): void, set(lines: string[]): void }}
 */
export function logView(box, keep = 1000) {
  /** @type {string[]} */ let lines = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (lines.length > keep) lines = lines.slice(-keep);
    const follow = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    box.textContent = lines.join('\n');
    if (follow) box.scrollTop = box.scrollHeight;
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(flush);
    }
  };
  return {
    push(line) {
      lines.push(line);
      schedule();
    },
    set(next) {
      lines = [...next];
      schedule();
    },
  };
}
