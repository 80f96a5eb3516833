import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/server/metrics.ts';
import { createArticle, createTestApp } from '../support/factory.ts';

const sample = () => [createArticle({ id: 'one', tags: ['Gas', 'Oil'] }), createArticle({ id: 'two', tags: ['Gas'] })];

/** The value of one sample in a Prometheus text exposition (0 when absent). */
function seriesValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('/healthz', () => {
  it('answers 200 with the index\'s figures, never to be cached', async () => {
    const { app } = createTestApp(sample());
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('surrogate-key')).toBeNull();
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', articles: 2, tags: 2, changedAt: null });
    expect(Date.parse(body.loadedAt as string)).not.toBeNaN();
  });

  it('reports when the index last changed', async () => {
    const test = createTestApp(sample());
    test.upsert(createArticle({ id: 'three', tags: ['Coal'] }));
    const body = (await (await test.app.request('/healthz')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ articles: 3, tags: 3 });
    expect(Date.parse(body.changedAt as string)).not.toBeNaN();
  });
});

describe('/metrics', () => {
  it('counts requests by route class and status, and cache hits and misses', async () => {
    const { app } = createTestApp(sample());
    await app.request('/rss.xml');
    await app.request('/rss.xml');
    const etag = (await app.request('/tags/gas/atom.xml')).headers.get('etag')!;
    await app.request('/tags/gas/atom.xml', { headers: { 'If-None-Match': etag } });
    await app.request('/tags/none/rss.xml');
    await app.request('/wp-login.php');
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/u);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="feed",status="200"}')).toBe(3);
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="feed",status="304"}')).toBe(1);
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="feed",status="404"}')).toBe(1);
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="other",status="404"}')).toBe(1);
    // Built: the site feed, the tag feed, the unknown tag (nothing to keep); the rest were hits.
    expect(seriesValue(text, 'tagfeeds_response_cache_total{result="miss"}')).toBe(3);
    expect(seriesValue(text, 'tagfeeds_response_cache_total{result="hit"}')).toBe(2);
    expect(seriesValue(text, 'tagfeeds_render_seconds_count')).toBe(3);
    expect(seriesValue(text, 'tagfeeds_articles')).toBe(2);
    expect(seriesValue(text, 'tagfeeds_tags')).toBe(2);
    expect(text).toContain('tagfeeds_purges_total');
    expect(text).toContain('tagfeeds_websub_subscribers 0');
  });

  it('counts the redirects of tag combinations, under their route class', async () => {
    const { app } = createTestApp(sample());
    expect((await app.request('/tags/oil+gas/rss.xml')).status).toBe(301);
    expect((await app.request('/tags/Gas+Oil')).status).toBe(301);
    const text = await (await app.request('/metrics')).text();
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="feed",status="other"}')).toBe(1);
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="page",status="other"}')).toBe(1);
  });

  it('counts an author\'s feeds as feeds and the author\'s page as a page', async () => {
    const { app } = createTestApp([createArticle({ id: 'by-ana', author: 'Ana Pérez', tags: ['Gas'] })]);
    for (const path of ['/authors/ana-perez/rss.xml', '/authors/ana-perez/atom.xml', '/authors/ana-perez/feed.json', '/authors/ana-perez']) {
      expect((await app.request(path)).status, path).toBe(200);
    }
    const text = await (await app.request('/metrics')).text();
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="feed",status="200"}')).toBe(3);
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="page",status="200"}')).toBe(1);
  });

  it('is not served with METRICS=off', async () => {
    const { app } = createTestApp(sample(), { config: { metrics: false } });
    expect((await app.request('/metrics')).status).toBe(404);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('keeps each app\'s figures apart', async () => {
    const first = createTestApp(sample());
    const second = createTestApp(sample());
    await first.app.request('/rss.xml');
    const text = await (await second.app.request('/metrics')).text();
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="feed",status="200"}')).toBe(0);
  });
});

describe('Metrics', () => {
  it('reports purges and the hub\'s subscribers and deliveries as the serve command feeds them', async () => {
    const metrics = new Metrics();
    metrics.observe({ articles: () => 7, tags: () => 3, websub: () => ({ subscribers: 12, delivered: 40, failed: 2, pending: 5 }) });
    metrics.purged(true);
    metrics.purged(true);
    metrics.purged(false);
    metrics.loaded(0.25);
    const text = await metrics.text();
    expect(seriesValue(text, 'tagfeeds_purges_total{result="sent"}')).toBe(2);
    expect(seriesValue(text, 'tagfeeds_purges_total{result="failed"}')).toBe(1);
    expect(seriesValue(text, 'tagfeeds_websub_subscribers')).toBe(12);
    expect(seriesValue(text, 'tagfeeds_websub_deliveries_total{result="delivered"}')).toBe(40);
    expect(seriesValue(text, 'tagfeeds_websub_deliveries_total{result="failed"}')).toBe(2);
    expect(seriesValue(text, 'tagfeeds_websub_deliveries_pending')).toBe(5);
    expect(seriesValue(text, 'tagfeeds_load_seconds')).toBe(0.25);
    expect(seriesValue(text, 'tagfeeds_articles')).toBe(7);
  });

  it('keeps counting across scrapes: a counter never goes down', async () => {
    const metrics = new Metrics();
    metrics.request('feed', 200);
    expect(seriesValue(await metrics.text(), 'tagfeeds_http_requests_total{route="feed",status="200"}')).toBe(1);
    metrics.request('feed', 200);
    metrics.request('feed', 503);
    const text = await metrics.text();
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="feed",status="200"}')).toBe(2);
    expect(seriesValue(text, 'tagfeeds_http_requests_total{route="feed",status="other"}')).toBe(1);
  });
});
