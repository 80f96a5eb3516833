/**
 * The HTTP application: routes, middleware, error handling. `createApp` takes everything it needs;
 * it reads no environment and opens no port.
 */
import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import { logger } from 'hono/logger';
import { bodyLimit } from 'hono/body-limit';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ssgParams } from 'hono/ssg';
import type { ArticleIndex } from '../articles/article-index.ts';
import type { ContentStore } from '../articles/content.ts';
import { normalizeRequestedTag } from '../articles/tags.ts';
import { parseCombination } from '../articles/tag-sets.ts';
import { authorSlug } from '../articles/authors.ts';
import type { Config } from '../config.ts';
import type { SiteInfo } from '../feeds/build.ts';
import type { FeedFormat } from '../feeds/types.ts';
import { combinationPathSegment, FEED_FILES, parsePageNumber, SiteUrls } from '../urls.ts';
import { archiveCount } from '../feeds/archives.ts';
import { ResponseCache } from './cache.ts';
import { cacheControl, commonHeaders, rawPath, sendPrepared } from './http.ts';
import { SecurityHeaders } from './security.ts';
import { BytesResponse } from './bytes-response.ts';
import { MEDIA_PATH, mediaHandler } from './media.ts';
import { isComplete, type Prepared } from './prepared.ts';
import { PAGE_LIMIT, SiteResponses } from './responses.ts';
import { surrogateHeaders } from './surrogate-keys.ts';
import { Metrics, type RouteClass } from './metrics.ts';
import { FastPath } from './fast-path.ts';
import { SITEMAP_MAX_URLS } from '../pages/sitemap.ts';
import type { HubAnswer } from '../websub/hub.ts';

/** The built-in WebSub hub, as the app sees it: it answers subscription requests. */
export interface HubEndpoint {
  handle(form: URLSearchParams, client: string): Promise<HubAnswer>;
}

/** Path of the built-in hub. */
export const HUB_PATH = '/websub';
/** Largest subscription request body read, in bytes. */
const HUB_BODY_LIMIT = 16 * 1024;

/** What the app is built from. */
export interface AppDeps {
  config: Config;
  index: ArticleIndex;
  contents: ContentStore;
  /** Where errors are logged (default: console.error). */
  logError?: (message: string) => void;
  /** Bytes of prepared responses to keep (default 64 MiB). */
  cacheBytes?: number;
  /** Bytes of rendered feed items to keep, shared by the feeds they appear in (default 32 MiB). */
  itemCacheBytes?: number;
  /**
   * Bytes of archive documents to keep, apart from `cacheBytes`, and of their rendered items, apart
   * from `itemCacheBytes` (default 8 MiB and none; the bodies read for them are not kept): a crawl of
   * the archives cannot push out the feeds that are polled, and adds at most these bounds. A static
   * export (`ssg`) keeps archives with everything else instead: it renders each once and reuses items.
   */
  archiveCacheBytes?: { responses: number; items: number };
  /**
   * An app for the static export (default false): lists every tag and article id to hono's `toSSG`
   * through `ssgParams`, and answers with the body and its media type only.
   */
  ssg?: boolean;
  /** The built-in WebSub hub: when given (and no outside hubs are configured), feeds announce it. */
  hub?: HubEndpoint;
  /** Most URLs per sitemap file (default 50,000, the protocol's limit; tests make it small). */
  sitemapMaxUrls?: number;
  /** The metrics `/metrics` serves (default: new ones, when `config.metrics`). */
  metrics?: Metrics;
  /** When the articles were loaded, for `/healthz` (default: when the app was made). */
  loadedAt?: Date;
}

/** The app and the parts that other entry points (export, tests) use. */
export interface App {
  app: Hono;
  responses: SiteResponses;
  cache: ResponseCache;
  site: SiteInfo;
  /** The app's metrics (undefined with `METRICS=off` and in a static export). */
  metrics?: Metrics;
  /**
   * The fast path in front of Hono for cached responses (fast-path.ts; `createRequestListener` puts
   * it in front). Undefined in a static export and with request logging on.
   */
  fast?: FastPath;
}

const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';
/** The methods of the hub's URL, when the hub is on: subscription requests are POSTs; GET is a 405. */
const HUB_METHODS = 'POST, OPTIONS';
/** The routes with a parameter: in a static export, each lists its values to hono's `toSSG`. */
export const PARAMETERISED_ROUTES = [
  '/tags/:tag',
  '/tags/:tag/rss.xml',
  '/tags/:tag/atom.xml',
  '/tags/:tag/feed.json',
  '/articles/:id',
  '/archive/:n/rss.xml',
  '/archive/:n/atom.xml',
  '/archive/:n/feed.json',
  '/tags/:tag/archive/:n/rss.xml',
  '/tags/:tag/archive/:n/atom.xml',
  '/tags/:tag/archive/:n/feed.json',
  '/page/:n',
  '/tags/:tag/page/:n',
  '/sitemaps/:file',
  '/authors/:author',
  '/authors/:author/rss.xml',
  '/authors/:author/atom.xml',
  '/authors/:author/feed.json',
] as const;
/**
 * The default bounds of `AppDeps.archiveCacheBytes`. 8 MiB holds ~60 archive documents at 100k articles
 * (~110 KB each with 20 items, plus gzip), so the archives a reader pages into stay cached. No archive
 * item is kept: in a crawl an item is almost never asked again before it is evicted, and kept items
 * live long enough to reach V8's old space, where they wait for a full collection: at 100k the crawl
 * added 78 MiB to peak RSS with 2 MiB of archive items kept, 51 MiB with none (bench/RESULTS.md).
 */
export const ARCHIVE_CACHE_BYTES = { responses: 8 * 1024 * 1024, items: 0 } as const;
/** Longest tag or id accepted in a path, in characters. */
export const MAX_SEGMENT_LENGTH = 256;

/**
 * The site's metadata from the configuration. Feeds announce the outside hubs when some are configured,
 * else the built-in hub when this app runs one, else none (`WEBSUB=off`, or a static export without
 * outside hubs: a static host cannot run a hub).
 */
export function siteInfo(config: Config, builtInHub = false): SiteInfo {
  const urls = new SiteUrls(config.baseUrl);
  const hubs = !config.websub ? [] : config.websubHubs.length > 0 ? config.websubHubs : builtInHub ? [`${urls.base}${HUB_PATH}`] : [];
  return {
    title: config.siteTitle,
    description: config.siteDescription,
    language: config.siteLanguage,
    author: config.siteAuthor,
    urls,
    hubs,
  };
}

/** Builds the application; see the module comment. */
export function createApp(deps: AppDeps): App {
  const { config, index, contents } = deps;
  const logError = deps.logError ?? ((m: string) => console.error(m));
  const hub = config.websub && config.websubHubs.length === 0 ? deps.hub : undefined;
  const site = siteInfo(config, hub !== undefined);
  const metrics = deps.ssg || !config.metrics ? undefined : (deps.metrics ?? new Metrics());
  metrics?.observe({ articles: () => index.size, tags: () => index.tagCount });
  const archiveBytes = deps.ssg ? undefined : (deps.archiveCacheBytes ?? ARCHIVE_CACHE_BYTES);
  const cache = new ResponseCache(index, deps.cacheBytes, metrics && ((s) => metrics.rendered(s)), archiveBytes?.responses);
  const responses = new SiteResponses(index, contents, cache, site, config.feedLimit, config.archiveSize, deps.itemCacheBytes, deps.sitemapMaxUrls, archiveBytes?.items ?? 'shared');
  const cacheHeader = cacheControl({
    maxAge: config.cacheMaxAge,
    sMaxAge: config.cacheSMaxAge,
    staleWhileRevalidate: config.cacheStaleWhileRevalidate,
  });
  // Archive documents change only in the exceptions feeds/archives.ts names: cached longer, by
  // browsers and shared caches alike.
  const archiveCacheHeader = cacheControl({
    maxAge: config.archiveMaxAge,
    sMaxAge: config.archiveMaxAge,
    staleWhileRevalidate: config.cacheStaleWhileRevalidate,
  });

  // Each response names the scope it depends on, so shared caches can drop exactly what a change changed.
  const keyHeaders = surrogateHeaders(config.cacheTagHeaders);

  const app = new Hono();
  // Hono's logger colours the status for a terminal; a log file or journal gets the line without them.
  if (config.logRequests) app.use(logger((line) => console.log(process.stdout.isTTY ? line : line.replace(/\x1b\[[0-9;]*m/gu, ''))));
  const security = new SecurityHeaders();
  // The header records of a prepared response, made once the security headers are read (the
  // middleware awaits them before any handler runs, so before the first response is sent).
  // Both pairs are made once: the fast path asks on every request.
  let feedHeaders: { common: Record<string, string>; extra: typeof keyHeaders } | undefined;
  let archiveHeaders: typeof feedHeaders;
  const headersOf = (prepared: Prepared) => {
    if (!feedHeaders || !archiveHeaders) {
      feedHeaders = { common: commonHeaders(security.record, cacheHeader), extra: keyHeaders };
      archiveHeaders = { common: commonHeaders(security.record, archiveCacheHeader), extra: keyHeaders };
    }
    return prepared.archive ? archiveHeaders : feedHeaders;
  };
  // Request logging is Hono's logger: with it on, every request goes through Hono to be logged.
  const fast = deps.ssg || config.logRequests ? undefined : new FastPath(cache, headersOf, metrics);
  app.use(security.middleware);
  // Every public answer may be read by any web page, as the prepared ones say (http.ts): redirects
  // and errors too, or a web-based reader cannot follow a 301 to the canonical feed (the Fetch
  // standard checks CORS on each redirect) nor show a 404's reason. Not the operation routes: a page
  // in a visitor's browser has no business reading /metrics of a server on their network.
  app.use(async (c, next) => {
    await next();
    if (isComplete(c.res) || OPERATION_PATHS.has(c.req.path) || c.res.headers.has('Access-Control-Allow-Origin')) return;
    c.res.headers.set('Access-Control-Allow-Origin', '*');
  });
  app.use(async (c, next) => {
    const method = c.req.method;
    const atHub = hub !== undefined && c.req.path === HUB_PATH;
    if (atHub && method === 'POST') return next();
    // Allow names the methods of the URL asked for (RFC 9110 §15.5.6, §9.3.7): the hub's differ.
    const allowed = atHub ? HUB_METHODS : ALLOWED_METHODS;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      return c.text(`Method ${method} not allowed\n`, 405, { Allow: allowed });
    }
    const problem = checkPath(c.req.url);
    if (problem) return c.text(`Bad request: ${problem}\n`, 400);
    if (method === 'OPTIONS') return c.body(null, 204, preflightHeaders(c.req.header('access-control-request-headers'), allowed));
    return next();
  });

  const send = async (c: Context, result: Prepared | Promise<Prepared | undefined> | undefined, missing: string, route: RouteClass = 'page') => {
    // A response the cache holds comes back as it is; one being built comes as a promise.
    if (metrics && result) metrics.cached(!(result instanceof Promise));
    const prepared = await result;
    if (!prepared) {
      metrics?.request(route, 404);
      return c.text(`${missing}\n`, 404);
    }
    // A static export keeps only the body (and needs the media type to name the file); the static
    // host's own configuration gives the other headers (see host-files.ts), so none are built here.
    if (deps.ssg) return new BytesResponse(prepared.body, prepared.contentType);
    const headers = headersOf(prepared);
    const response = sendPrepared(c, prepared, headers.common, headers.extra);
    metrics?.request(route, response.status);
    // The Node adapter passes the node:http request as `c.env.incoming` (in-process `app.request()`
    // has none): this path is answered by the fast path from now on, while the cache holds this.
    fast?.learn((c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.url, prepared, route);
    return response;
  };
  // `/tags/a+b/…` (every tag) and `/tags/a,b/…` (any tag): served at one canonical URL, the keys
  // normalised, deduplicated and sorted; any other spelling is a 301 to it (one document, one cache
  // entry, one WebSub topic per combination). Undefined: the segment is a single tag.
  const combinationRoute = (c: Context, raw: string, format: FeedFormat | 'page') => {
    if (!raw.includes('+') && !raw.includes(',')) return undefined;
    if (raw.length > MAX_SEGMENT_LENGTH) return c.text('Bad request: tag combination too long\n', 400);
    const name = parseCombination(raw);
    if (name === undefined) return undefined;
    if ('problem' in name) return c.text(`Bad request: ${name.problem}\n`, 400);
    // Compared as the client spelled the segment, not as the router decoded it: `alpha%2Bbeta` and
    // `alph%61+beta` name the same combination as `alpha+beta` and are redirected to it.
    if (combinationPathSegment(name) !== new URL(c.req.url).pathname.split('/')[2]) {
      const one = name.keys.length === 1 ? name.keys[0]! : undefined;
      const page = one === undefined ? site.urls.combination(name) : site.urls.tag(one);
      metrics?.request(format === 'page' ? 'page' : 'feed', 301);
      return c.redirect(format === 'page' ? page : `${page}/${FEED_FILES[format]}`, 301);
    }
    const missing = name.join === 'and' ? 'Unknown tag in the combination (every tag must have articles)' : 'None of the tags has articles';
    return send(c, responses.combination(format, name), missing, format === 'page' ? 'page' : 'feed');
  };
  const feedRoute = (format: FeedFormat) => (c: Context) => {
    const raw = c.req.param('tag');
    if (raw === undefined) return send(c, responses.feed(format), 'Not found', 'feed');
    const combined = combinationRoute(c, raw, format);
    if (combined) return combined;
    const key = tagKey(raw);
    return send(c, key === undefined ? undefined : responses.feed(format, key), `Unknown tag: ${raw.slice(0, 64)}`, 'feed');
  };
  // `/archive/{n}/…` and `/tags/{tag}/archive/{n}/…`: n from 1 in plain decimal, else a 404.
  const archiveRoute = (format: FeedFormat) => (c: Context) => {
    const n = parsePageNumber(c.req.param('n') ?? '');
    const raw = c.req.param('tag');
    const key = raw === undefined ? undefined : tagKey(raw);
    const found = n === undefined || (raw !== undefined && key === undefined) ? undefined : responses.archive(format, n, key);
    return send(c, found, 'Not found', 'archive');
  };

  if (deps.ssg) {
    // Values are URL path segments, so any article id survives the trip through the URL.
    const tag = (key: string) => encodeURIComponent(key);
    const upTo = (last: number, from = 1) => Array.from({ length: Math.max(0, last - from + 1) }, (_, i) => String(from + i));
    const pages = (total: number) => Math.ceil(total / PAGE_LIMIT);
    const params: Record<(typeof PARAMETERISED_ROUTES)[number], () => Record<string, string>[]> = {
      '/tags/:tag': () => index.tags().map((t) => ({ tag: tag(t.key) })),
      '/tags/:tag/rss.xml': () => index.tags().map((t) => ({ tag: tag(t.key) })),
      '/tags/:tag/atom.xml': () => index.tags().map((t) => ({ tag: tag(t.key) })),
      '/tags/:tag/feed.json': () => index.tags().map((t) => ({ tag: tag(t.key) })),
      '/articles/:id': () => index.latest(index.size).map((a) => ({ id: encodeURIComponent(a.id) })),
      '/archive/:n/rss.xml': () => siteArchives(),
      '/archive/:n/atom.xml': () => siteArchives(),
      '/archive/:n/feed.json': () => siteArchives(),
      '/tags/:tag/archive/:n/rss.xml': () => tagArchives(),
      '/tags/:tag/archive/:n/atom.xml': () => tagArchives(),
      '/tags/:tag/archive/:n/feed.json': () => tagArchives(),
      '/page/:n': () => upTo(pages(index.size), 2).map((n) => ({ n })),
      '/tags/:tag/page/:n': () => index.tags().flatMap((t) => upTo(pages(t.count), 2).map((n) => ({ tag: tag(t.key), n }))),
      '/authors/:author': () => authors(),
      '/authors/:author/rss.xml': () => authors(),
      '/authors/:author/atom.xml': () => authors(),
      '/authors/:author/feed.json': () => authors(),
      '/sitemaps/:file': () => {
        const children = Math.ceil((1 + index.tagCount + index.size) / (deps.sitemapMaxUrls ?? SITEMAP_MAX_URLS));
        return children > 1 ? upTo(children).map((n) => ({ file: `${n}.xml` })) : [];
      },
    };
    const authors = () => index.authors().map((a) => ({ author: encodeURIComponent(a.slug) }));
    const siteArchives = () => upTo(archiveCount(index.size, config.archiveSize)).map((n) => ({ n }));
    const tagArchives = () => index.tags().flatMap((t) => upTo(archiveCount(t.count, config.archiveSize)).map((n) => ({ tag: tag(t.key), n })));
    for (const path of PARAMETERISED_ROUTES) app.get(path, ssgParams(params[path]));
  }

  if (hub) {
    app.post(
      HUB_PATH,
      bodyLimit({
        maxSize: HUB_BODY_LIMIT,
        onError: (c) => {
          metrics?.request('hub', 413);
          return c.text(`Subscription request over ${HUB_BODY_LIMIT} bytes\n`, 413);
        },
      }),
      async (c) => {
        const type = c.req.header('content-type') ?? '';
        if (!/^application\/x-www-form-urlencoded\s*(;|$)/iu.test(type)) {
          metrics?.request('hub', 415);
          return c.text('A hub request must be application/x-www-form-urlencoded (WebSub §5.1)\n', 415);
        }
        const answer = await hub.handle(new URLSearchParams(await c.req.text()), clientAddress(c));
        metrics?.request('hub', answer.status);
        return c.text(answer.body, answer.status as 202);
      },
    );
    app.get(HUB_PATH, (c) => c.text('This is a WebSub hub: POST subscription requests here (https://www.w3.org/TR/websub/)\n', 405, { Allow: HUB_METHODS }));
  }

  app.get('/', (c) => send(c, responses.home(), 'Not found'));
  // `/page/1` is no page (404): page 1 is `/`, and each list page has exactly one URL, on the server
  // as in a static export (which cannot redirect).
  app.get('/page/:n', (c) => {
    const n = parsePageNumber(c.req.param('n'));
    return send(c, n === undefined || n === 1 ? undefined : responses.home(n), 'Not found');
  });
  app.get('/rss.xml', feedRoute('rss'));
  app.get('/atom.xml', feedRoute('atom'));
  app.get('/feed.json', feedRoute('json'));
  app.get('/archive/:n/rss.xml', archiveRoute('rss'));
  app.get('/archive/:n/atom.xml', archiveRoute('atom'));
  app.get('/archive/:n/feed.json', archiveRoute('json'));
  app.get('/sitemap.xml', (c) => send(c, responses.sitemap(), 'Not found', 'sitemap'));
  app.get('/sitemaps/:file', (c) => {
    const file = c.req.param('file');
    const n = file.endsWith('.xml') ? parsePageNumber(file.slice(0, -'.xml'.length)) : undefined;
    return send(c, n === undefined ? undefined : responses.sitemap(n), 'Not found', 'sitemap');
  });
  app.get('/robots.txt', (c) => send(c, responses.robots(), 'Not found', 'sitemap'));
  app.get('/tags', (c) => send(c, responses.tags(), 'Not found', 'tags'));
  app.get('/tags.opml', (c) => send(c, responses.opml(), 'Not found', 'tags'));
  app.get('/tags/:tag', (c) => {
    const raw = c.req.param('tag');
    const combined = combinationRoute(c, raw, 'page');
    if (combined) return combined;
    const key = tagKey(raw);
    return send(c, key === undefined ? undefined : responses.tag(key), `Unknown tag: ${raw.slice(0, 64)}`);
  });
  app.get('/tags/:tag/rss.xml', feedRoute('rss'));
  app.get('/tags/:tag/atom.xml', feedRoute('atom'));
  app.get('/tags/:tag/feed.json', feedRoute('json'));
  app.get('/tags/:tag/archive/:n/rss.xml', archiveRoute('rss'));
  app.get('/tags/:tag/archive/:n/atom.xml', archiveRoute('atom'));
  app.get('/tags/:tag/archive/:n/feed.json', archiveRoute('json'));
  app.get('/tags/:tag/page/:n', (c) => {
    const raw = c.req.param('tag');
    const key = tagKey(raw);
    const n = parsePageNumber(c.req.param('n'));
    return send(c, key === undefined || n === undefined || n === 1 ? undefined : responses.tag(key, n), 'Not found');
  });
  // Media files (images, audio) of the articles folder; a static export copies nothing of them (yet).
  if (!deps.ssg) app.get(`${MEDIA_PATH}*`, mediaHandler(config.articlesDir, cacheHeader));
  app.get('/authors', (c) => send(c, responses.authors(), 'Not found'));
  const authorRoute = (format: FeedFormat | 'page') => (c: Context) => {
    const raw = c.req.param('author') ?? '';
    // Any spelling of a name reaches its author (`/authors/Ana%20P%C3%A9rez`), as tags do; links use the slug.
    const slug = raw.length <= MAX_SEGMENT_LENGTH ? authorSlug(raw) : '';
    return send(c, slug === '' ? undefined : responses.author(format, slug), `Unknown author: ${raw.slice(0, 64)}`, format === 'page' ? 'page' : 'feed');
  };
  app.get('/authors/:author', authorRoute('page'));
  app.get('/authors/:author/rss.xml', authorRoute('rss'));
  app.get('/authors/:author/atom.xml', authorRoute('atom'));
  app.get('/authors/:author/feed.json', authorRoute('json'));
  app.get('/articles/:id', (c) => {
    const id = c.req.param('id');
    const found = id.length <= MAX_SEGMENT_LENGTH ? responses.article(id) : undefined;
    return send(c, found, `Unknown article: ${id.slice(0, 64)}`, 'article');
  });
  if (!deps.ssg) addOperationRoutes(app, index, metrics, deps.loadedAt ?? new Date());
  app.notFound((c) => {
    metrics?.request('other', 404);
    return c.text('Not found\n', 404);
  });
  app.onError((error, c) => {
    metrics?.request('other', 500);
    logError(`error: ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.text('Internal server error\n', 500);
  });

  return { app, responses, cache, site, metrics, fast };
}

/** The operation routes (addOperationRoutes), which no other origin may read. */
const OPERATION_PATHS = new Set(['/healthz', '/metrics']);

/** Headers of the operation routes: their answers change every moment and must never be cached. */
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * `/healthz` (for load balancers and Varnish's probes: 200 with the index's figures once it is
 * loaded, which it is whenever the app exists; the serve command answers 503 before) and `/metrics`
 * (Prometheus). Not in a static export: a static host has neither.
 */
function addOperationRoutes(app: Hono, index: ArticleIndex, metrics: Metrics | undefined, loadedAt: Date): void {
  let changedAt: Date | undefined;
  index.onChange(() => {
    changedAt = new Date();
  });
  app.get('/healthz', (c) => {
    metrics?.request('health', 200);
    const body = { status: 'ok', articles: index.size, tags: index.tagCount, loadedAt: loadedAt.toISOString(), changedAt: changedAt?.toISOString() ?? null };
    return c.json(body, 200, NO_STORE);
  });
  if (!metrics) return;
  app.get('/metrics', async (c) => {
    metrics.request('metrics', 200);
    return c.body(await metrics.text(), 200, { ...NO_STORE, 'Content-Type': metrics.contentType });
  });
}

/**
 * The answer to a CORS preflight: feeds, the OPML and pages are public, so any web page may read them
 * (`Access-Control-Allow-Origin: *` is on every prepared response, see http.ts). Hono's `cors`
 * middleware is not used: it touches `c.res` before the handler runs, which makes Hono rebuild every
 * response as a full undici Response — measured at a third of the throughput on cached feeds.
 */
function preflightHeaders(requested: string | undefined, allowed: string): Record<string, string> {
  const headers: Record<string, string> = {
    Allow: allowed,
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': allowed,
    'Access-Control-Max-Age': '86400',
  };
  if (requested) headers['Access-Control-Allow-Headers'] = requested.split(',').map((h) => h.trim()).join(', ');
  return headers;
}

/** The address of the client, for the hub's rate limit ('unknown' for in-process requests). */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The normalised key of a tag from a URL, or undefined when it cannot be a tag. */
function tagKey(raw: string): string | undefined {
  if (raw.length > MAX_SEGMENT_LENGTH) return undefined;
  const tag = raw.startsWith('#') ? raw.slice(1) : raw;
  return normalizeRequestedTag(tag);
}

/** Why a request path is malformed (invalid percent-encoding, NUL or control bytes), if it is. */
export function checkPath(url: string): string | undefined {
  const path = rawPath(url);
  // A raw request line cannot carry control characters (Node's parser refuses them): only escapes can.
  if (!path.includes('%')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'invalid percent-encoding in the path';
  }
  if (/[\u0000-\u001f\u007f]/u.test(decoded)) return 'control characters in the path';
  return undefined;
}
