/**
 * deploy/nginx/tagfeeds-proxy-cache.conf, as written, in front of a live server on loopback: nginx
 * caches what the server's Cache-Control allows, serves the second request from its cache, keeps
 * the codings apart, and answers conditional requests itself.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNginx, startNginx, type RunningNginx } from './support/nginx.ts';
import { createTestSite, startLiveApp, type LiveApp, type TestSite } from './support/site.ts';

const nginxBinary = findNginx();

describe.skipIf(!nginxBinary)('nginx as a caching reverse proxy', { timeout: 60_000 }, () => {
  let test: TestSite;
  let live: LiveApp;
  let nginx: RunningNginx;

  beforeAll(async () => {
    test = await createTestSite();
    live = await startLiveApp(test.config);
    const example = await readFile(new URL('../../deploy/nginx/tagfeeds-proxy-cache.conf', import.meta.url), 'utf8');
    // Only the addresses and the cache folder differ from the example.
    const upstream = new URL(live.url).port;
    const replace = (text: string, from: string, to: string) => {
      if (!text.includes(from)) throw new Error(`the example no longer holds ${from}`);
      return text.replace(from, to);
    };
    nginx = await startNginx(nginxBinary!, {
      http: (dir) =>
        replace(replace(replace(example, 'listen 80;', 'listen 127.0.0.1:PORT;'), 'server 127.0.0.1:3000;', `server 127.0.0.1:${upstream};`),
          '/var/cache/nginx/tagfeeds', join(dir, 'cache')),
    });
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await live?.close();
    await test?.remove();
  }, 30_000);

  it('serves a feed from its cache on the second request', async () => {
    const first = await fetch(`${nginx.url}/tags/travel/rss.xml`);
    const body = await first.text();
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    const second = await fetch(`${nginx.url}/tags/travel/rss.xml`);
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(await second.text()).toBe(body);
    expect(body).toBe(await (await fetch(`${live.url}/tags/travel/rss.xml`)).text());
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('access-control-allow-origin')).toBe('*');
    expect(second.headers.get('cache-control')).toContain('s-maxage=');
  });

  it('keeps compressed and uncompressed copies apart', async () => {
    const plain = await fetch(`${nginx.url}/atom.xml`, { headers: { 'Accept-Encoding': 'identity' } });
    await plain.arrayBuffer();
    const gzip1 = await fetch(`${nginx.url}/atom.xml`, { headers: { 'Accept-Encoding': 'gzip' } });
    await gzip1.arrayBuffer();
    const gzip2 = await fetch(`${nginx.url}/atom.xml`, { headers: { 'Accept-Encoding': 'gzip' } });
    const text = await gzip2.text();
    expect(gzip1.headers.get('x-cache-status')).toBe('MISS');
    expect(gzip2.headers.get('x-cache-status')).toBe('HIT');
    expect(gzip2.headers.get('content-encoding')).toBe('gzip');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(text).toBe(await (await fetch(`${live.url}/atom.xml`)).text());
  });

  it('answers a conditional request from its cache with 304', async () => {
    const first = await fetch(`${nginx.url}/tags.opml`);
    await first.arrayBuffer();
    const again = await fetch(`${nginx.url}/tags.opml`, { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('x-cache-status')).toBe('HIT');
  });
});
