// Thin client for the JSON API: errors come back as thrown ApiError with the server's body.

export class ApiError extends Error {
  /** @param {number} status @param {{code?: string, message?: string, problems?: any[]}} body */
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.problems = body?.problems;
  }
}

/** @param {string} path @param {RequestInit} [init] */
export async function request(path, init) {
  const res = await fetch(path, init);
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: { message: text } };
  }
  if (!res.ok) throw new ApiError(res.status, body?.error ?? { message: text });
  return body;
}

/** @param {string} path */
export const get = (path) => request(path);

/**
 * The per-start token a server bound beyond loopback wants on changes: opened as
 * `/?token=…` (the URL it prints at start), kept for this tab.
 */
function token() {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem('anomalab-token', fromUrl);
  return fromUrl ?? sessionStorage.getItem('anomalab-token');
}

/** @param {string} path @param {unknown} [body] */
export const post = (path, body) => {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json' };
  const t = token();
  if (t) headers['x-anomalab-token'] = t;
  return request(path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
};

/** Query string from an object, skipping empty values. @param {Record<string, any>} params */
export function qs(params) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
}

/**
 * Follow a run's event stream. Handlers get parsed JSON. The server sends `end` and closes;
 * we close too, otherwise EventSource would reconnect and replay the run.
 * @param {string} id
 * @param {Record<string, (data: any) => void>} handlers
 * @returns {() => void} stop
 */
export function followRun(id, handlers) {
  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  for (const name of ['status', 'log', 'epoch', 'metric', 'end']) {
    source.addEventListener(name, (event) => {
      const data = JSON.parse(/** @type {MessageEvent} */ (event).data);
      if (name === 'end') source.close();
      handlers[name]?.(data);
    });
  }
  source.onerror = () => {
    // A 404 or a dropped server: stop retrying in a loop; the page can be reloaded.
    if (source.readyState === EventSource.CLOSED) handlers.error?.(null);
  };
  return () => source.close();
}
