import { timingSafeEqual } from 'node:crypto';
import { networkInterfaces, hostname } from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';
import { HttpError } from './errors.ts';

/**
 * What keeps web pages from using the server (it can start processes and has no login):
 *
 * - Host: only names this server was started for are answered. A DNS-rebinding page
 *   (`attacker.example` resolving to 127.0.0.1) sends its own name and is refused, so it can
 *   neither read runs nor start them.
 * - Origin: a browser names the page that made a request; any other site is refused
 *   (CSRF), on every method.
 * - Content-Type: request bodies must be `application/json` (or, on the scoring-session
 *   points route only, `application/x-ndjson`). Browsers send such a body cross-site only
 *   after a CORS preflight (neither is a CORS-safelisted type), which this server never
 *   approves; `text/plain` and form posts (no preflight) are refused instead of being parsed.
 * - Token: when bound to a non-loopback address, mutating requests also need the
 *   per-start token (`X-Anomalab-Token`), printed with the URL at start.
 */
export interface RequestGuardOptions {
  /** Host names (no port; IPv6 without brackets) answered besides localhost, 127.0.0.1 and ::1. */
  allowedHosts: string[];
  /** Required on POST/PUT/PATCH/DELETE when set. */
  token?: string;
  /** Paths that also take `application/x-ndjson` bodies (the points route of scoring sessions). */
  ndjsonPaths?: RegExp;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const MUTATING = /^(POST|PUT|PATCH|DELETE)$/;

/** 127.0.0.0/8, ::1, localhost: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Host names a server bound to `host` answers to: the loopback names, the bound address
 * itself and, for a wildcard address (0.0.0.0, ::), this machine's name and addresses.
 */
export function hostsFor(host: string, extra: string[] = []): string[] {
  const names = new Set([...LOOPBACK_NAMES, host.toLowerCase().replace(/^\[|\]$/g, ''), ...extra.map((h) => h.toLowerCase())]);
  if (host === '0.0.0.0' || host === '::') {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  }
  return [...names];
}

/** The host name of a Host header value (`name:port`, `[v6]:port`), lower case; undefined if malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s/@]+))(?::(\d{1,5}))?$/i.exec(header.trim());
  return m ? (m[1] ?? m[2])!.toLowerCase() : undefined;
}

function forbidden(code: 'ANOMALAB_FORBIDDEN_HOST' | 'ANOMALAB_FORBIDDEN_ORIGIN' | 'ANOMALAB_TOKEN_REQUIRED', message: string): HttpError {
  return new HttpError(403, code, message);
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  return c.req.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/** Hono middleware enforcing {@link RequestGuardOptions} on every request. */
export function requestGuard(options: RequestGuardOptions): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...options.allowedHosts.map((h) => h.toLowerCase())]);
  return async (c, next) => {
    const hostHeader = c.req.header('host');
    const name = hostName(hostHeader);
    if (!name || !allowed.has(name)) {
      throw forbidden(
        'ANOMALAB_FORBIDDEN_HOST',
        `Host ${JSON.stringify(hostHeader ?? '')} is not a name this server answers to (${[...allowed].join(', ')}); ` +
          'a page of another site may be trying to reach it (DNS rebinding). Serving under another name: start it with --host <address> or --allow-host <name>',
      );
    }
    const origin = c.req.header('origin');
    const self = hostHeader!.trim().toLowerCase();
    if (origin !== undefined && origin.toLowerCase() !== `http://${self}` && origin.toLowerCase() !== `https://${self}`) {
      throw forbidden('ANOMALAB_FORBIDDEN_ORIGIN', `requests from other sites are refused (Origin ${JSON.stringify(origin)}, this server is ${hostHeader})`);
    }
    if (MUTATING.test(c.req.method)) {
      const site = c.req.header('sec-fetch-site');
      if (origin === undefined && (site === 'cross-site' || site === 'same-site')) {
        throw forbidden('ANOMALAB_FORBIDDEN_ORIGIN', `requests from other sites are refused (Sec-Fetch-Site: ${site})`);
      }
      if (options.token !== undefined && !sameToken(c.req.header('x-anomalab-token'), options.token)) {
        throw forbidden('ANOMALAB_TOKEN_REQUIRED', 'this server listens beyond loopback: changes need the X-Anomalab-Token header with the token printed at start (the web UI takes it from ?token= in its URL)');
      }
      if (hasBody(c)) {
        const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        const ndjson = options.ndjsonPaths?.test(c.req.path) ?? false;
        if (type !== 'application/json' && !(ndjson && type === 'application/x-ndjson')) {
          const expected = ndjson ? 'JSON or NDJSON sent as Content-Type: application/json or application/x-ndjson' : 'JSON sent as Content-Type: application/json';
          throw new HttpError(415, 'ANOMALAB_UNSUPPORTED_MEDIA_TYPE', `request bodies must be ${expected}, got ${JSON.stringify(c.req.header('content-type') ?? '(none)')}`);
        }
      }
    }
    await next();
  };
}
