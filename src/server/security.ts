/**
 * Security headers on every response, with the values Hono's `secure-headers` middleware produces for
 * our options. They are read from that middleware once, then added as a plain record: prepared
 * responses carry them already (see http.ts), and setting a dozen headers per request through the
 * middleware cost about a fifth of a cached feed's time (measured with a CPU profile under wrk).
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { isComplete } from './prepared.ts';

/** A Content-Security-Policy that allows no script at all: the pages have none. */
const OPTIONS: Parameters<typeof secureHeaders>[0] = {
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'unsafe-inline'"],
    imgSrc: ["'self'", 'https:', 'data:'],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  // The same rule as `frame-ancestors 'none'` for browsers that read only X-Frame-Options (Hono's
  // default, SAMEORIGIN, would let the site frame itself there while the CSP forbids it everywhere).
  xFrameOptions: 'DENY',
  // Feeds are read cross-origin by web-based readers; pages may show images from other sites.
  crossOriginResourcePolicy: 'cross-origin',
  crossOriginEmbedderPolicy: false,
  // Headers for browsers and plugins of the past (IE 8's download prompt, Flash, the XSS auditor that
  // browsers removed): every response would carry their bytes for nothing.
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  xDnsPrefetchControl: false,
};

/** The security headers as a record, and the middleware that puts them on every other response. */
export class SecurityHeaders {
  #record: Record<string, string> | undefined;
  readonly ready: Promise<Record<string, string>>;

  constructor() {
    const probe = new Hono();
    probe.use(secureHeaders(OPTIONS));
    probe.get('/', (c) => c.body(null, 204));
    this.ready = Promise.resolve(probe.request('/')).then((res) => {
      this.#record = Object.fromEntries(res.headers);
      return this.#record;
    });
  }

  /** The headers; defined once `ready` has resolved, which the middleware awaits before any handler. */
  get record(): Record<string, string> {
    if (!this.#record) throw new Error('security headers read before they were ready');
    return this.#record;
  }

  /** Adds the headers to every response that does not carry them already. */
  readonly middleware: MiddlewareHandler = async (c, next) => {
    const record = this.#record ?? (await this.ready);
    await next();
    if (isComplete(c.res)) return;
    for (const name in record) c.res.headers.set(name, record[name]!);
  };
}
