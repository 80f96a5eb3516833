/**
 * Prometheus metrics (`/metrics`, text exposition format, with prom-client): requests by route class
 * and status, cache hits and misses, render and load times, the index's size, purges, and the WebSub
 * hub's subscribers and deliveries. Each app has its own registry (no global state: tests make many).
 *
 * The request and cache counters are on the hot path of every cached feed (about 20k a second), so
 * each costs one increment of a plain number in a fixed table: prom-client's `inc()`, even on a child
 * from `labels()`, builds a label hash string and validates the labels on every call. The table is
 * copied into prom-client's counters when Prometheus scrapes, as are the sizes of the index and hub.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The classes of routes requests are counted by: a small fixed set, so the series stay few. */
export const ROUTE_CLASSES = ['feed', 'archive', 'page', 'article', 'tags', 'sitemap', 'hub', 'health', 'metrics', 'other'] as const;
/** One of `ROUTE_CLASSES`. */
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** The status labels of the four columns of the request table. */
const STATUS_LABELS = ['200', '304', '404', 'other'] as const;

/** What the metrics read at scrape time. */
export interface MetricSources {
  articles(): number;
  tags(): number;
  /** The WebSub hub's figures, when it runs. */
  websub?(): { subscribers: number; delivered: number; failed: number; pending: number } | undefined;
}

/** The metrics of one app; see the module comment. */
export class Metrics {
  readonly registry = new Registry();
  /** Requests per route class: 200, 304, 404, any other status. */
  readonly #requests: Record<RouteClass, [number, number, number, number]>;
  #hits = 0;
  #misses = 0;
  readonly #render: Histogram;
  readonly #load: Gauge;
  readonly #purges: Counter<'result'>;
  #sources: MetricSources | undefined;

  constructor() {
    const registers = [this.registry];
    const self = this;
    this.#requests = Object.fromEntries(ROUTE_CLASSES.map((route) => [route, [0, 0, 0, 0]])) as unknown as Record<RouteClass, [number, number, number, number]>;
    new Counter({
      name: 'tagfeeds_http_requests_total',
      help: 'HTTP requests answered, by route class and status',
      labelNames: ['route', 'status'] as const,
      registers,
      collect() {
        // The totals only grow, so setting them afresh at each scrape keeps the counter monotonic.
        this.reset();
        for (const route of ROUTE_CLASSES) {
          const row = self.#requests[route];
          for (let i = 0; i < row.length; i++) if (row[i]! > 0) this.inc({ route, status: STATUS_LABELS[i]! }, row[i]);
        }
      },
    });
    new Counter({
      name: 'tagfeeds_response_cache_total',
      help: 'Cacheable responses answered from the response cache (hit) or built (miss)',
      labelNames: ['result'] as const,
      registers,
      collect() {
        this.reset();
        this.inc({ result: 'hit' }, self.#hits);
        this.inc({ result: 'miss' }, self.#misses);
      },
    });
    this.#render = new Histogram({ name: 'tagfeeds_render_seconds', help: 'Time to build one response (feed, page, archive) on a cache miss', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers });
    this.#load = new Gauge({ name: 'tagfeeds_load_seconds', help: 'Time the last full load of the articles folder took', registers });
    this.#purges = new Counter({ name: 'tagfeeds_purges_total', help: 'PURGE requests to shared caches, by result', labelNames: ['result'] as const, registers });
    new Gauge({ name: 'tagfeeds_articles', help: 'Public articles in the index', registers, collect() { this.set(self.#sources?.articles() ?? 0); } });
    new Gauge({ name: 'tagfeeds_tags', help: 'Tags with a public article', registers, collect() { this.set(self.#sources?.tags() ?? 0); } });
    new Gauge({ name: 'tagfeeds_websub_subscribers', help: 'Active WebSub subscriptions of the built-in hub', registers, collect() { this.set(self.#sources?.websub?.()?.subscribers ?? 0); } });
    new Gauge({ name: 'tagfeeds_websub_deliveries_pending', help: 'WebSub deliveries waiting or in flight', registers, collect() { this.set(self.#sources?.websub?.()?.pending ?? 0); } });
    new Gauge({
      name: 'tagfeeds_websub_deliveries_total',
      help: 'WebSub content deliveries since start, by result (a counter read from the hub at scrape time)',
      labelNames: ['result'] as const,
      registers,
      collect() {
        const stats = self.#sources?.websub?.();
        this.set({ result: 'delivered' }, stats?.delivered ?? 0);
        this.set({ result: 'failed' }, stats?.failed ?? 0);
      },
    });
  }

  /** Tells the metrics where the index's and the hub's figures are read. */
  observe(sources: MetricSources): void {
    this.#sources = sources;
  }

  /** Counts one answered request. */
  request(route: RouteClass, status: number): void {
    this.#requests[route][status === 200 ? 0 : status === 304 ? 1 : status === 404 ? 2 : 3]++;
  }

  /** Counts a cacheable response answered from the cache (true) or built (false). */
  cached(hit: boolean): void {
    if (hit) this.#hits++;
    else this.#misses++;
  }

  /** Records how long one response took to build. */
  rendered(seconds: number): void {
    this.#render.observe(seconds);
  }

  /** Records how long the articles took to load. */
  loaded(seconds: number): void {
    this.#load.set(seconds);
  }

  /** Counts one purge request. */
  purged(ok: boolean): void {
    this.#purges.inc({ result: ok ? 'sent' : 'failed' });
  }

  /** The text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The media type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
