/**
 * End to end: the fixtures are exported, nginx serves the output with deploy/nginx/tagfeeds-static.conf,
 * and every feed, page and header is compared with what the live server answers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedSite } from '../../src/articles/load-site.ts';
import { exportSite } from '../../src/export/export-site.ts';
import { expectSameFeed } from '../support/feed-checks.ts';
import type { ParsedFeed } from '../support/readers.ts';
import { findNginx, startNginx, type RunningNginx } from './support/nginx.ts';
import { createTestSite, loadQuietly, ODD_ID, routePaths, startLiveApp, type LiveApp, type TestSite } from './support/site.ts';

const nginxBinary = findNginx();

describe.skipIf(!nginxBinary)('a static export served by nginx', { timeout: 120_000 }, () => {
  let test: TestSite;
  let site: LoadedSite;
  let live: LiveApp;
  let nginx: RunningNginx;
  let routes: ReturnType<typeof routePaths>;

  beforeAll(async () => {
    // Archives of two articles, so that the fixtures have some.
    test = await createTestSite(['--archive-size', '2']);
    site = await loadQuietly(test.config);
    await exportSite({ config: test.config, site, outDir: join(test.dir, 'dist'), jobs: 1 });
    routes = routePaths(site);
    live = await startLiveApp(test.config);
    nginx = await startNginx(nginxBinary!, { server: `    root ${join(test.dir, 'dist')};\n    include snippets/tagfeeds-static.conf;` });
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await live?.close();
    await test?.remove();
  }, 30_000);

  const both = (path: string, init?: RequestInit) => Promise.all([fetch(nginx.url + path, init), fetch(live.url + path, init)]);

  it('serves every feed with the bytes and media type of the live server', async () => {
    expect(routes.feeds.length).toBeGreaterThan(20);
    for (const path of [...routes.feeds, routes.opml]) {
      const [fromNginx, fromLive] = await both(path);
      expect([path, fromNginx.status]).toEqual([path, 200]);
      expect([path, fromNginx.headers.get('content-type')]).toEqual([path, fromLive.headers.get('content-type')]);
      expect(Buffer.from(await fromNginx.arrayBuffer()).equals(Buffer.from(await fromLive.arrayBuffer())), path).toBe(true);
    }
  });

  it('serves every feed so that feed readers see the same items as from the live server', async () => {
    const tags = site.index.tags().map((t) => `/tags/${encodeURIComponent(t.key)}`);
    for (const base of ['', ...tags]) {
      const read = async (url: string) => {
        const [rss, atom, json] = await Promise.all(['rss.xml', 'atom.xml', 'feed.json'].map(async (f) => (await fetch(`${url}${base}/${f}`)).text()));
        return expectSameFeed({ rss: rss!, atom: atom!, json: json! });
      };
      const [a, b] = await Promise.all([read(nginx.url), read(live.url)]);
      const items = (feed: ParsedFeed) => feed.entries.map((e) => [e.id, e.title, e.link, e.updated, e.tags]);
      expect(a.json.items.length, base).toBeGreaterThan(0);
      expect(items(a.rss), base).toEqual(items(b.rss));
      expect(items(a.atom), base).toEqual(items(b.atom));
      expect(a.json.items.map((i) => [i.id, i.title, i.date_modified]), base).toEqual(b.json.items.map((i) => [i.id, i.title, i.date_modified]));
    }
  });

  it('serves pretty URLs for pages, non-ASCII tags and odd article ids included', async () => {
    const paths = ['/', '/tags', `/tags/${encodeURIComponent('日本')}`, `/tags/${encodeURIComponent('ελλάδα')}`, '/tags/espana',
      '/articles/hello%20world', `/articles/${encodeURIComponent(ODD_ID)}`];
    for (const path of [...paths, ...routes.pages]) {
      const [fromNginx, fromLive] = await both(path);
      expect([path, fromNginx.status, fromLive.status]).toEqual([path, 200, 200]);
      expect(fromNginx.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(await fromNginx.text(), path).toBe(await fromLive.text());
    }
  });

  it('lets any origin read the feeds and the OPML, and answers their preflight', async () => {
    for (const path of ['/rss.xml', '/tags/travel/atom.xml', `/tags/${encodeURIComponent('日本')}/feed.json`, '/tags.opml', '/archive/1/atom.xml']) {
      const get = await fetch(nginx.url + path, { headers: { Origin: 'https://reader.example' } });
      expect(get.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(get.headers.get('access-control-expose-headers'), path).toBe('ETag');
      const preflight = await fetch(nginx.url + path, {
        method: 'OPTIONS',
        headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
      });
      expect(preflight.status, path).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(preflight.headers.get('access-control-allow-methods'), path).toContain('GET');
      expect(preflight.headers.get('access-control-allow-headers'), path).toBe('if-none-match');
    }
  });

  it('sends the caching and security headers of the live server', async () => {
    const names = ['cache-control', 'content-security-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy',
      'origin-agent-cluster', 'referrer-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options'];
    for (const path of ['/', '/tags/travel', '/rss.xml', '/tags/travel/feed.json', '/tags.opml', '/archive/1/rss.xml', '/archive/2/atom.xml', '/archive/1/feed.json']) {
      const [fromNginx, fromLive] = await both(path);
      expect([path, fromNginx.status]).toEqual([path, 200]);
      for (const name of names) expect([path, name, fromNginx.headers.get(name)]).toEqual([path, name, fromLive.headers.get(name)]);
      expect(fromNginx.headers.get('etag'), path).toBeTruthy();
    }
  });

  it('compresses feeds for clients that accept gzip', async () => {
    const res = await fetch(`${nginx.url}/rss.xml`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(await res.text()).toBe(await (await fetch(`${live.url}/rss.xml`)).text());
  });

  it('answers 404 for routes that do not exist, as the live server does', async () => {
    for (const path of ['/tags/no-such-tag/rss.xml', '/tags/no-such-tag', '/articles/no-such-article', '/articles/draft', '/tags/secret', '/tags/future/rss.xml']) {
      const [fromNginx, fromLive] = await both(path);
      expect([path, fromNginx.status, fromLive.status]).toEqual([path, 404, 404]);
    }
  });

  it('does not serve the manifest, temporary files or the _headers file', async () => {
    for (const path of ['/.tagfeeds-export.json', '/_headers', '/tags/.rss.xml.123-1.tmp']) {
      expect((await fetch(nginx.url + path)).status, path).toBe(404);
    }
  });

  it('writes a _headers file that gives each feed path the live media type and CORS', async () => {
    const text = await readFile(join(test.dir, 'dist', '_headers'), 'utf8');
    const rules = new Map(text.split('\n\n').map((block) => {
      const lines = block.split('\n').filter((l) => !l.startsWith('#'));
      return [lines[0]!, new Map(lines.slice(1).map((l) => [l.trim().split(': ')[0]!.toLowerCase(), l.trim().split(': ').slice(1).join(': ')]))] as const;
    }));
    for (const [rule, path] of [['/rss.xml', '/rss.xml'], ['/tags/:tag/atom.xml', '/tags/travel/atom.xml'], ['/tags/:tag/feed.json', '/tags/travel/feed.json'], ['/tags.opml', '/tags.opml']]) {
      const res = await fetch(live.url + path!);
      expect(rules.get(rule!)?.get('content-type'), rule).toBe(res.headers.get('content-type'));
      expect(rules.get(rule!)?.get('access-control-allow-origin'), rule).toBe('*');
    }
    const home = await fetch(`${live.url}/`);
    for (const [name, value] of rules.get('/*')!) expect([name, value]).toEqual([name, home.headers.get(name)]);
  });
});
