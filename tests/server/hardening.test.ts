import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ArticleIndex } from '../../src/articles/article-index.ts';
import { ContentStore } from '../../src/articles/content.ts';
import { toMeta } from '../../src/articles/types.ts';
import { scheduleReleases } from '../../src/articles/release-scheduler.ts';
import { createApp } from '../../src/server/app.ts';
import { createArticle, createConfig, createTestApp } from '../support/factory.ts';

const sample = () => [
  createArticle({ id: 'public-one', title: 'Public one', tags: ['Open', 'Shared'] }),
  createArticle({ id: 'hostile', title: '<script>alert(1)</script> & "quotes"', summary: '<img src=x onerror=alert(1)>', tags: ['Open'] }),
];

describe('hostile requests', () => {
  const { app } = createTestApp(sample());

  it.each([
    ['/tags/..%2F..%2Fetc%2Fpasswd/rss.xml', 404],
    ['/articles/..%2F..%2Fetc%2Fpasswd', 404],
    ['/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd', 404],
    ['/../../etc/passwd', 404],
    ['/tags/%00/rss.xml', 400],
    ['/articles/a%00b', 400],
    ['/tags/%E0%A4%A/rss.xml', 400],
    ['/tags/%ZZ', 400],
    [`/tags/${'a'.repeat(5000)}/rss.xml`, 404],
    [`/articles/${'x'.repeat(5000)}`, 404],
    ['/wp-login.php', 404],
    ['/tags/open/rss.xml/extra', 404],
    ['/rss.xml?limit=999999999&x=%ZZ', 200],
  ])('answers a hostile path (%#) with the right status and a short plain message, never a 500', async (path, status) => {
    const res = await app.request(path);
    expect(res.status).toBe(status);
    const body = await res.text();
    if (status !== 200) {
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/u);
      expect(body.length).toBeLessThan(200);
    }
    expect(body).not.toMatch(/root:|\/bin\/(ba)?sh/u);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('answers %s with 405 and Allow', async (method) => {
    const res = await app.request('/rss.xml', { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await res.text()).toMatch(/not allowed/u);
  });

  it.each([
    ['/tags/shared+open/rss.xml', 301],
    ['/tags/nosuch/rss.xml', 404],
    ['/tags/open++shared/rss.xml', 400],
    ['/tags/%00/rss.xml', 400],
    ['/rss.xml', 405],
  ])('lets any web page read the redirect or error of %s (%i), as it may read the feeds', async (path, status) => {
    const res = await app.request(path, { method: status === 405 ? 'PUT' : 'GET', headers: { Origin: 'https://reader.example' } });
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('keeps /healthz from other origins', async () => {
    const res = await app.request('/healthz', { headers: { Origin: 'https://reader.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a CORS preflight for a feed', async () => {
    const res = await app.request('/tags/open/atom.xml', {
      method: 'OPTIONS',
      headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('GET');
  });

  it.each(['/', '/rss.xml', '/tags/open', '/articles/hostile', '/nope', '/tags/%00'])('sends security headers on %s, with a CSP that allows no script', async (path) => {
    const res = await app.request(path);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src/u);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    // Both framing rules say the same: no one may frame these responses.
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it.each(['/', '/articles/hostile', '/tags/open', '/tags'])('escapes what comes from articles on %s', async (path) => {
    const body = await (await app.request(path)).text();
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<img src=x');
    if (path !== '/tags') expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('drafts and scheduled articles', () => {
  const NOW = Date.parse('2024-06-01T00:00:00Z');
  const articles = () => [
    createArticle({ id: 'live', title: 'Live article', date: new Date(NOW - 86_400_000), tags: ['Common'] }),
    createArticle({ id: 'draft', title: 'Secret draft', draft: true, tags: ['Common', 'DraftOnly'] }),
    createArticle({ id: 'later', title: 'Scheduled piece', date: new Date(NOW + 60_000), tags: ['Common', 'FutureOnly'] }),
  ];
  const everywhere = ['/', '/rss.xml', '/atom.xml', '/feed.json', '/tags', '/tags.opml', '/tags/common', '/tags/common/rss.xml', '/tags/common/atom.xml', '/tags/common/feed.json'];

  it('leaks neither a draft nor a future article anywhere, and their own tags do not exist', async () => {
    const { app } = createTestApp(articles(), { now: () => NOW });
    for (const path of everywhere) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      const body = await res.text();
      expect(body, path).not.toMatch(/Secret draft|Scheduled piece|DraftOnly|FutureOnly|draftonly|futureonly/u);
    }
    for (const path of ['/articles/draft', '/articles/later', '/tags/draftonly/rss.xml', '/tags/futureonly/feed.json', '/tags/draftonly']) {
      expect((await app.request(path)).status, path).toBe(404);
    }
  });

  it('publishes a scheduled article when its time comes, with no file change, and changes the ETags then', async () => {
    // The release scheduler's own timer, on a fake clock: no request and no file change releases it.
    vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { app, index } = createTestApp(articles());
    const releases = scheduleReleases(index);
    onTestFinished(() => {
      releases.stop();
      vi.useRealTimers();
    });
    const before = await app.request('/tags/common/rss.xml');
    const siteBefore = await app.request('/feed.json');
    expect(await before.text()).not.toContain('Scheduled piece');

    vi.advanceTimersByTime(59_000);
    const still = await app.request('/tags/common/rss.xml');
    expect(still.headers.get('etag')).toBe(before.headers.get('etag'));

    vi.advanceTimersByTime(1_000 + 10);
    const after = await app.request('/tags/common/rss.xml');
    expect(await after.text()).toContain('Scheduled piece');
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect((await app.request('/feed.json')).headers.get('etag')).not.toBe(siteBefore.headers.get('etag'));
    expect((await app.request('/tags/futureonly/atom.xml')).status).toBe(200);
    expect((await app.request('/articles/later')).status).toBe(200);
    expect((await app.request('/articles/draft')).status).toBe(404);
  });
});

describe('the response cache', () => {
  it('counts compressed variants made after caching against its bound', async () => {
    const { app, cache } = createTestApp(
      Array.from({ length: 30 }, (_, i) => createArticle({ id: `c${i}`, contentHtml: `<p>${'Paragraph text. '.repeat(200)}</p>` })),
    );
    await (await app.request('/rss.xml')).arrayBuffer();
    const identity = cache.bytes;
    const br = await app.request('/rss.xml', { headers: { 'Accept-Encoding': 'br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    const compressed = (await br.arrayBuffer()).byteLength;
    expect(cache.bytes).toBeGreaterThanOrEqual(identity + compressed);
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
  });
});

describe('memory under a crawl of 100,000 distinct tags', () => {
  it('keeps the response cache within its bound and the heap from growing with the crawl', async () => {
    const tags = Array.from({ length: 3000 }, (_, i) => `Tag${i}`);
    const articles = Array.from({ length: 1500 }, (_, i) =>
      createArticle({ id: `a${i}`, title: `Article ${i}`, date: new Date(Date.UTC(2024, 0, 1, 0, i)), tags: [tags[(2 * i) % 3000]!, tags[(2 * i + 1) % 3000]!] }),
    );
    const config = createConfig();
    const index = new ArticleIndex();
    const contents = new ContentStore({ dir: '/nonexistent', realDir: '/nonexistent', maxBytes: config.maxFileSize });
    for (const a of articles) contents.remember(a);
    index.bulkLoad(articles.map(toMeta));
    const cacheBytes = 2 * 1024 * 1024;
    const { app, cache } = createApp({ config, index, contents, cacheBytes });

    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const formats = ['rss.xml', 'atom.xml', 'feed.json'];
    // 100,000 distinct tag feed URLs: every known tag in each format (9,000), then 91,000 unknown tags.
    const paths = [
      ...tags.flatMap((t) => formats.map((f) => [`/tags/${t.toLowerCase()}/${f}`, 200] as const)),
      ...Array.from({ length: 91_000 }, (_, i) => [`/tags/unknown-${i}/${formats[i % 3]}`, 404] as const),
    ];
    const crawl = async (from: number, to: number) => {
      for (const [path, status] of paths.slice(from, to)) {
        const res = await app.request(path);
        expect(res.status).toBe(status);
        await res.arrayBuffer();
      }
    };
    await crawl(0, 20_000);
    gc();
    const heapAfterWarmup = process.memoryUsage().heapUsed;
    await crawl(20_000, paths.length);
    gc();
    const growth = process.memoryUsage().heapUsed - heapAfterWarmup;
    console.log(`heap growth over 80,000 requests: ${(growth / 1e6).toFixed(1)} MB; cache ${cache.bytes} bytes`);

    expect(cache.bytes).toBeLessThanOrEqual(cacheBytes);
    expect(cache.size).toBeGreaterThan(0);
    // 80,000 more distinct unknown tags after the warm-up: nothing of them may stay behind.
    expect(growth).toBeLessThan(4 * 1024 * 1024);
  }, 180_000);
});

describe('memory under a crawl of tag combinations', () => {
  it('keeps the response cache and its bookkeeping within bound however many combinations are asked', async () => {
    const tags = Array.from({ length: 60 }, (_, i) => `T${i}`);
    const articles = Array.from({ length: 600 }, (_, i) =>
      createArticle({ id: `c${i}`, title: `Article ${i}`, date: new Date(Date.UTC(2024, 0, 1, 0, i)), tags: [tags[i % 60]!, tags[(i * 7) % 60]!, tags[(i * 13) % 60]!] }),
    );
    const config = createConfig();
    const index = new ArticleIndex();
    const contents = new ContentStore({ dir: '/nonexistent', realDir: '/nonexistent', maxBytes: config.maxFileSize });
    for (const a of articles) contents.remember(a);
    index.bulkLoad(articles.map(toMeta));
    const cacheBytes = 512 * 1024;
    const { app, cache } = createApp({ config, index, contents, cacheBytes });

    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Every pair of the 60 tags as an AND and an OR (3,540 combinations, in a format each), then
    // 20,000 ORs that name one made-up tag besides a real one (served: the real one is known).
    const pairs = tags.flatMap((a, i) => tags.slice(i + 1).map((b) => `${a.toLowerCase()}+${b.toLowerCase()}`));
    const formats = ['rss.xml', 'atom.xml', 'feed.json'];
    const paths = [
      ...pairs.map((p, i) => `/tags/${p}/${formats[i % 3]}`),
      ...pairs.map((p, i) => `/tags/${p.replace('+', ',')}/${formats[(i + 1) % 3]}`),
      ...Array.from({ length: 20_000 }, (_, i) => `/tags/made-up-${i},t${i % 60}/${formats[i % 3]}`),
    ];
    const crawl = async (from: number, to: number) => {
      for (const path of paths.slice(from, to)) {
        const res = await app.request(path);
        expect([path, res.status < 500]).toEqual([path, true]);
        await res.arrayBuffer();
      }
    };
    await crawl(0, 6000);
    gc();
    const heapAfterWarmup = process.memoryUsage().heapUsed;
    await crawl(6000, paths.length);
    gc();
    const growth = process.memoryUsage().heapUsed - heapAfterWarmup;
    console.log(`heap growth over ${paths.length - 6000} combination requests: ${(growth / 1e6).toFixed(1)} MB; cache ${cache.bytes} bytes`);

    expect(cache.bytes).toBeLessThanOrEqual(cacheBytes);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.trackedKeys).toBe(cache.size);
    expect(growth).toBeLessThan(4 * 1024 * 1024);
  }, 180_000);
});

describe('memory under a crawl of every archive', () => {
  it('keeps archive documents within their own bound and the polled feeds cached', async () => {
    const articles = Array.from({ length: 1200 }, (_, i) =>
      createArticle({ id: `r${i}`, title: `Article ${i}`, date: new Date(Date.UTC(2024, 0, 1, 0, i)), tags: [i % 3 === 0 ? 'Big' : `T${i % 20}`], contentHtml: `<p>${`Body ${i}. `.repeat(40)}</p>` }),
    );
    const config = createConfig({ feedLimit: 20, archiveSize: 20 });
    const index = new ArticleIndex();
    const contents = new ContentStore({ dir: '/nonexistent', realDir: '/nonexistent', maxBytes: config.maxFileSize });
    for (const a of articles) contents.remember(a);
    index.bulkLoad(articles.map(toMeta));
    const archiveCacheBytes = { responses: 256 * 1024, items: 64 * 1024 };
    const { app, cache } = createApp({ config, index, contents, archiveCacheBytes });
    const feeds = ['/rss.xml', '/atom.xml', '/feed.json', '/tags/big/rss.xml', '/tags/big/atom.xml', '/tags/big/feed.json'];
    const first = new Map<string, string>();
    for (const p of feeds) first.set(p, await (await app.request(p)).text());
    const feedBytes = cache.bytes;

    const formats = ['rss.xml', 'atom.xml', 'feed.json'];
    const paths = [...Array.from({ length: 60 }, (_, i) => `/archive/${i + 1}`), ...Array.from({ length: 20 }, (_, i) => `/tags/big/archive/${i + 1}`)];
    let archiveBytes = 0;
    const documents = new Map<string, string>();
    for (const p of paths.flatMap((base) => formats.map((f) => `${base}/${f}`))) {
      const res = await app.request(p);
      expect([p, res.status]).toEqual([p, 200]);
      const text = await res.text();
      archiveBytes += Buffer.byteLength(text);
      documents.set(p, text);
    }
    // A crawl reads each document once: none is kept (each is kept from its second request on).
    expect(cache.archiveBytes).toBe(0);
    expect(cache.bytes).toBe(feedBytes);
    // Read again (a reader paging back), they are kept, the same bytes, within their bound.
    for (const [p, text] of documents) expect([p, await (await app.request(p)).text()]).toEqual([p, text]);
    expect(archiveBytes).toBeGreaterThan(4 * archiveCacheBytes.responses);
    expect(cache.archiveBytes).toBeGreaterThan(0);
    expect(cache.archiveBytes).toBeLessThanOrEqual(archiveCacheBytes.responses);
    expect(cache.bytes - cache.archiveBytes).toBe(feedBytes);
    expect(cache.trackedKeys).toBe(cache.size);
    for (const p of feeds) expect([p, await (await app.request(p)).text()]).toEqual([p, first.get(p)]);
  });
});
