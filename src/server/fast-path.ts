/**
 * The fast path: a GET or HEAD for a response the cache holds, answered straight from the
 * `node:http` request with its head (written as `res.writeHead(status, list)` would, its lines checked
 * once: response-head.ts) and `res.end(bytes)`, before Hono and the
 * Node adapter see it. Measured with a CPU profile under wrk, a cached answer through Hono spends
 * most of its JavaScript time on the adapter's Request and Response objects, Hono's routing and
 * context, the middleware's promises and the microtasks between them; for a small body or a 304 that
 * is most of the request, and such answers ran at 0.6–0.7× of a bare `node:http` server
 * (bench/floor/server.ts) answering the same bytes (bench/RESULTS.md).
 *
 * It gives up nothing of the Hono path's answer, because it does not decide anything itself:
 * - Which response a path gets is learned from Hono. When the app sends a cached response, it tells
 *   the fast path the request's raw path (the request target before `?`: no route reads the query)
 *   and the cache key of the response; only that path, afterwards, is answered here.
 * - The bytes are read from the response cache by that key on every request (`ResponseCache.held`),
 *   never kept here: once a change drops the entry, the path falls through to Hono, which builds the
 *   new response and teaches the path again. The table holds names only.
 * - Status, headers and body come from the same `Prepared` as the Hono path's, through the same
 *   content negotiation (`chooseEncoding`), the same conditional GET (`currentCoding`) and the same
 *   header records (`Prepared.wire`), so the wire bytes are the same (tests/server/fast-path.test.ts
 *   compares them with the fast path off).
 * - The request and cache-hit counters are counted as the Hono path counts them.
 *
 * Anything else falls through to Hono unchanged: other methods, a path not learned or no longer
 * cached, an absolute-form or fragment-bearing target, a Host header the adapter would parse as a
 * URL (it may refuse it with a 400). With request logging on (`LOG_REQUESTS`), no fast path is made
 * (see createApp): every request then goes through Hono's logger.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ResponseCache } from './cache.ts';
import { currentCoding } from './http.ts';
import type { Metrics, RouteClass } from './metrics.ts';
import { chooseEncoding, type Prepared } from './prepared.ts';
import { writeHead } from './response-head.ts';

/** A node:http request listener. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The header records of a response: the app's common headers for it, and its per-response extras. */
export type HeaderSource = (prepared: Prepared) => {
  common: Record<string, string>;
  extra?: (prepared: Prepared) => Record<string, string> | undefined;
};

/**
 * Paths remembered at most. The path is the client's to choose (`/tags/GaS/rss.xml` is a path of
 * its own), so the table is bounded, and cleared when full: simpler than an LRU, and the polled
 * paths come back at their next request (which Hono answers meanwhile).
 */
const MAX_PATHS = 16_384;

/**
 * The Host values the adapter takes as they are (@hono/node-server's `reValidHost`): any other is
 * parsed as a URL and may be refused, so it goes to Hono.
 */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/u;

interface Learned {
  key: string;
  route: RouteClass;
}

/** The fast path of one app; see the module comment. */
export class FastPath {
  readonly #paths = new Map<string, Learned>();
  readonly #cache: ResponseCache;
  readonly #metrics: Metrics | undefined;
  readonly #headers: HeaderSource;

  constructor(cache: ResponseCache, headers: HeaderSource, metrics?: Metrics) {
    this.#cache = cache;
    this.#headers = headers;
    this.#metrics = metrics;
  }

  /** Number of paths remembered (for tests). */
  get size(): number {
    return this.#paths.size;
  }

  /**
   * Remembers that the Hono path answered this request target with this cached response, counted
   * as `route`; a response the cache does not hold (built while the data changed) is not remembered.
   */
  learn(target: string | undefined, prepared: Prepared, route: RouteClass): void {
    const path = target === undefined ? undefined : pathOf(target);
    if (path === undefined) return;
    const key = this.#cache.keyOf(prepared);
    if (key === undefined) return;
    if (this.#paths.size >= MAX_PATHS && !this.#paths.has(path)) this.#paths.clear();
    this.#paths.set(path, { key, route });
  }

  /** Answers the request if it can (true); false leaves it, untouched, to Hono. */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const path = pathOf(req.url ?? '');
    if (path === undefined) return false;
    const learned = this.#paths.get(path);
    if (learned === undefined) return false;
    const headers = req.headers;
    const host = headers.host;
    if (host === undefined || !PLAIN_HOST.test(host)) return false;
    // If-Match and If-Unmodified-Since (a 412 when they fail) are Hono's: no reader sends them.
    if (headers['if-match'] !== undefined || headers['if-unmodified-since'] !== undefined) return false;
    const prepared = this.#cache.held(learned.key);
    if (prepared === undefined) {
      // Dropped by a change or evicted: Hono builds it again and the path is learned anew.
      this.#paths.delete(path);
      return false;
    }
    // The fields as the adapter hands them to Hono: joined by node like the adapter's Headers would
    // (If-Modified-Since excepted: node keeps only the first, so it is joined from the raw list).
    const encoding = chooseEncoding(prepared, field(headers['accept-encoding']));
    const current = currentCoding(prepared, encoding, field(headers['if-none-match']), () => (headers['if-modified-since'] === undefined ? undefined : joined(req.rawHeaders, 'if-modified-since')));
    const notModified = current !== null;
    const { common, extra } = this.#headers(prepared);
    const status = notModified ? 304 : 200;
    writeHead(res, status, prepared.wire(common, notModified ? current : encoding, notModified, method === 'HEAD', extra));
    if (notModified || method === 'HEAD') res.end();
    else res.end(prepared.encoded(encoding));
    this.#metrics?.cached(true);
    this.#metrics?.request(learned.route, status);
    return true;
  }
}

/**
 * The request listener of an app: its fast path first, when it has one, then Hono through the Node
 * adapter. `hostname` is the adapter's default host for a request without one (as `serve` passes it).
 */
export function createRequestListener(app: { app: Hono; fast?: FastPath }, options: { hostname?: string } = {}): RequestListener {
  const hono = getRequestListener(app.app.fetch, { hostname: options.hostname });
  const fast = app.fast;
  if (!fast) return hono;
  return (req, res) => {
    if (!fast.answer(req, res)) void hono(req, res);
  };
}

/**
 * The path of an origin-form request target (before `?`), or undefined for any other form. A target
 * with `#` is left to Hono: the adapter may parse it as a URL, and then the `#` starts a fragment.
 */
function pathOf(target: string): string | undefined {
  if (target.charCodeAt(0) !== 47 /* / */ || target.includes('#')) return undefined;
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}

/** A field value as the adapter's Headers gives it: HTTP whitespace trimmed (node trims it already). */
function field(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return isHttpSpace(first) || isHttpSpace(last) ? value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/gu, '') : value;
}

function isHttpSpace(code: number): boolean {
  return code === 9 || code === 10 || code === 13 || code === 32;
}

/** Every value of a field in the raw list, joined with `, ` as a Headers object joins them. */
function joined(raw: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) {
      const one = field(raw[i + 1]!)!;
      value = value === undefined ? one : `${value}, ${one}`;
    }
  }
  return value;
}
