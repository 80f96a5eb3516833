/**
 * What a CDN needs from the live server: the configured Cache-Control (max-age, s-maxage,
 * stale-while-revalidate), Vary: Accept-Encoding, and CORS with preflight on the feeds and the OPML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type { LoadedSite } from '../../src/articles/load-site.ts';
import { readConfig } from '../../src/config.ts';
import { createApp } from '../../src/server/app.ts';
import { createTestSite, loadQuietly, routePaths, type TestSite } from './support/site.ts';

describe('CDN-ready responses', () => {
  let test: TestSite;
  let site: LoadedSite;
  let app: Hono;
  let routes: ReturnType<typeof routePaths>;

  beforeAll(async () => {
    test = await createTestSite();
    // The three settings come from the environment, as in a deployment.
    const config = readConfig({ CACHE_MAX_AGE: '120', CACHE_S_MAXAGE: '900', CACHE_STALE_WHILE_REVALIDATE: '45' }, ['--articles-dir', test.articlesDir]);
    site = await loadQuietly(config);
    app = createApp({ config, index: site.index, contents: site.contents }).app;
    routes = routePaths(site);
  });
  afterAll(() => test.remove());

  it('send the configured Cache-Control and Vary: Accept-Encoding on feeds, the OPML and pages', async () => {
    for (const path of [...routes.feeds, routes.opml, ...routes.pages]) {
      const res = await app.request(path);
      expect([path, res.headers.get('cache-control')]).toEqual([path, 'public, max-age=120, s-maxage=900, stale-while-revalidate=45']);
      expect([path, res.headers.get('vary')]).toEqual([path, 'Accept-Encoding']);
    }
  });

  it('default s-maxage to max-age', () => {
    const config = readConfig({ CACHE_MAX_AGE: '90' }, []);
    expect([config.cacheMaxAge, config.cacheSMaxAge, config.cacheStaleWhileRevalidate]).toEqual([90, 90, 60]);
  });

  it('let any origin read the feeds and the OPML', async () => {
    for (const path of [...routes.feeds, routes.opml]) {
      const res = await app.request(path, { headers: { Origin: 'https://reader.example' } });
      expect([path, res.headers.get('access-control-allow-origin')]).toEqual([path, '*']);
    }
  });

  it('answer the CORS preflight of the feeds and the OPML', async () => {
    for (const path of [...routes.feeds, routes.opml]) {
      const res = await app.request(path, {
        method: 'OPTIONS',
        headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'If-None-Match' },
      });
      expect([path, res.status]).toEqual([path, 204]);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-methods')).toContain('GET');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toBe('if-none-match');
    }
  });
});
