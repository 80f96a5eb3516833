/** `npm start`: load the articles, serve them, follow every change, shut down gracefully. */
import { getRequestListener } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { watchArticles, watchFolder } from '../articles/watch.ts';
import { ConfigError, requireArticlesFolder, requireStateFolder, type Config } from '../config.ts';
import type { ArticleIndex } from '../articles/article-index.ts';
import { scheduleReleases } from '../articles/release-scheduler.ts';
import { createApp } from '../server/app.ts';
import { answerBadRequest, answerClientError, requestProblem } from '../server/client-errors.ts';
import { createRequestListener, type RequestListener } from '../server/fast-path.ts';
import { FEED_FORMATS } from '../feeds/types.ts';
import { describeProblem, loadSite, summaryLine } from '../articles/load-site.ts';
import { createPush } from './push.ts';
import { openArticleCache } from './article-cache.ts';
import { boundHeapGrowth } from './heap-growth.ts';
import { Metrics } from '../server/metrics.ts';
import { purgeKeys } from '../server/surrogate-keys.ts';
import { Purger } from '../net/purger.ts';

/** Runs the server until SIGTERM or SIGINT. */
export async function serveCommand(config: Config): Promise<void> {
  // Watched from before the load, so that a file written while it runs is not missed (articles/watch.ts).
  requireArticlesFolder(config.articlesDir);
  requireStateFolder(config.stateDir);
  const folder = watchFolder(config.articlesDir);
  const cache = openArticleCache(config);
  const site = await loadSite({ ...config, cache });
  console.log(summaryLine(site, config.articlesDir));
  // From here on the heap holds the index and grows little: bound how far garbage may pile up.
  boundHeapGrowth();
  const loadedAt = new Date();
  const push = createPush(config, site.index);
  // The app is made once the port is known: with --port 0 the default base URL names the real port.
  // Until then every path, /healthz included, answers 503. The port opens only once the articles are
  // loaded: loading reads files synchronously on this thread (articles/load.ts), so a 503 answerer
  // could not run during it, and a probe is better refused than left waiting.
  // `hostname`: the adapter's host for a request without a Host header, as `serve()` would pass it.
  let listener: RequestListener = getRequestListener(starting, { hostname: config.host });
  const server = await new Promise<Server>((resolve, reject) => {
    // node:http's own Host check answers with an empty body: requestProblem makes it, with a reason.
    const s = createServer({ requireHostHeader: false }, (req, res) => {
      const problem = requestProblem(req);
      if (problem === undefined) listener(req, res);
      else answerBadRequest(res, problem);
    });
    s.on('clientError', answerClientError);
    s.once('error', (error) => reject(listenError(error as NodeJS.ErrnoException, config)));
    s.listen(config.port, config.host, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = config.baseUrl === `http://localhost:${config.port}` ? `http://localhost:${port}` : config.baseUrl;
  const metrics = config.metrics ? new Metrics() : undefined;
  metrics?.loaded(site.ms / 1000);
  const built = createApp({ config: { ...config, baseUrl }, index: site.index, contents: site.contents, hub: push.endpoint, metrics, loadedAt });
  const { site: info, responses } = built;
  push.start(responses, info.urls);
  if (push.stats) metrics?.observe({ articles: () => site.index.size, tags: () => site.index.tagCount, websub: push.stats });
  const purger = startPurger(config, site.index, metrics);
  // The app's fast path for cached responses first, then Hono (server/fast-path.ts).
  listener = createRequestListener(built, { hostname: config.host });
  console.log(`Listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`);
  for (const format of FEED_FORMATS) console.log(`  ${info.urls.feed(format)}`);
  if (info.hubs.length > 0) console.log(`WebSub hub${info.hubs.length > 1 ? 's' : ''}: ${info.hubs.join(', ')}`);

  const watcher = watchArticles(site.index, site.contents, site.readOptions, {
    updated: (file, kind) => console.log(`${kind} ${file}`),
    rejected: (error, kept) => console.error(`${kept ? 'kept last good version of' : 'skipped'} ${describeProblem(error)}`),
    warning: (warning) => console.error(`ignored ${describeProblem(warning)}`),
    failed: (error) => console.error(`watching ${config.articlesDir} failed: ${error.message}; restart to pick up changes`),
    folder: (message) => console.error(`articles folder ${message}`),
  }, { cache, folder, links: site.links, missingImages: site.errors.filter((e) => e.reason === 'missing-image').map((e) => e.file) });
  const releases = scheduleReleases(site.index);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing requests in flight, then exiting`);
    releases.stop();
    push.close();
    purger?.close();
    cache?.close();
    // Stop accepting; idle keep-alive connections are closed, busy ones close after their response.
    watcher.close();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** The answer to every request until the app is ready. */
function starting(request: Request): Response {
  const headers = { 'Cache-Control': 'no-store' };
  if (new URL(request.url).pathname === '/healthz') return Response.json({ status: 'starting' }, { status: 503, headers });
  return new Response('Starting\n', { status: 503, headers });
}

/**
 * Purges the shared caches (`PURGE_URLS`) of the keys each change touched (net/purger.ts). Registered
 * after the app, so that this process's own cache has dropped the changed responses before the
 * purge goes out and a cache that refetches at once gets the new bytes.
 */
function startPurger(config: Config, index: ArticleIndex, metrics: Metrics | undefined): Purger | undefined {
  if (config.purgeUrls.length === 0) return undefined;
  const purger = new Purger({
    urls: config.purgeUrls,
    timeoutMs: config.purgeTimeoutSeconds * 1000,
    retryBaseMs: 1000,
    delayMs: config.purgeDelaySeconds * 1000,
    log: (line) => console.error(line),
    settled: (_url, _keys, ok) => metrics?.purged(ok),
  });
  index.onChange((scopes) => purger.purge(purgeKeys(scopes)));
  console.log(`Purging ${config.purgeUrls.join(', ')} on each change${config.purgeDelaySeconds > 0 ? `, and again ${config.purgeDelaySeconds} s later` : ''}`);
  return purger;
}

/**
 * The address that could not be listened on, as a configuration error naming the flag and variable
 * to change (a second `npm start` on the same port is the usual case); any other error as it is.
 */
function listenError(error: NodeJS.ErrnoException, config: Config): Error {
  const at = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') return new ConfigError(`cannot listen on ${at}: the port is already in use (--port, PORT)`);
  if (error.code === 'EACCES') return new ConfigError(`cannot listen on ${at}: not allowed to use this port (--port, PORT)`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new ConfigError(`cannot listen on ${at}: ${config.host} is not an address of this machine (--host, HOST)`);
  }
  return error;
}
