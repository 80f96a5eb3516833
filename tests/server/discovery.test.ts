/**
 * Pages that reach every article: the paged home and tag pages (rel="next" from `/` reaches every
 * article page), the sitemap (every article page, with lastmod; a sitemap index when there are more
 * URLs than one sitemap may hold) and robots.txt naming the sitemap.
 */
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/types.ts';
import { ARCHIVE_SEEN_KEYS, ResponseCache } from '../../src/server/cache.ts';
import { prepare } from '../../src/server/prepared.ts';
import { BASE_URL, createArticle, createTestApp, type TestApp } from '../support/factory.ts';
import { xmlProblems } from '../support/readers.ts';

const START = Date.parse('2021-06-01T00:00:00Z');

function corpus(count: number): Article[] {
  return Array.from({ length: count }, (_, i) =>
    createArticle({ id: `p${i}`, title: `Page article ${i}`, date: new Date(START + i * 60_000), tags: i % 2 === 0 ? ['Even'] : ['Odd'] }),
  );
}

const attr = (html: string, rel: string) => new RegExp(`<link rel="${rel}" href="([^"]+)">`, 'u').exec(html)?.[1];

/** Follows `<link rel="next">` from `start`, collecting the article pages each page links. */
async function crawl(test: TestApp, start: string): Promise<{ pages: string[]; articles: string[] }> {
  const pages: string[] = [];
  const articles: string[] = [];
  let next: string | undefined = `${BASE_URL}${start}`;
  let previous: string | undefined;
  while (next) {
    const res = await test.app.request(next.slice(BASE_URL.length));
    expect([next, res.status]).toEqual([next, 200]);
    const html = await res.text();
    expect(attr(html, 'prev')).toBe(previous);
    expect(attr(html, 'canonical')).toBe(next);
    pages.push(next);
    for (const m of html.matchAll(/<a href="(http:\/\/feeds\.example\/articles\/[^"]+)">/gu)) articles.push(m[1]!);
    previous = next;
    next = attr(html, 'next');
    if (next) expect(html).toContain(`<a rel="next" href="${next}">Older →</a>`);
  }
  return { pages, articles };
}

const sitemapLocs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/gu)].map((m) => m[1]!);

describe('paged home and tag pages', () => {
  it('reaches every article page by following rel="next" from /, newest first, 50 a page', async () => {
    const articles = corpus(173);
    const test = createTestApp(articles);
    const { pages, articles: linked } = await crawl(test, '/');
    expect(pages).toEqual([`${BASE_URL}/`, `${BASE_URL}/page/2`, `${BASE_URL}/page/3`, `${BASE_URL}/page/4`]);
    expect(linked).toEqual([...articles].reverse().map((a) => `${BASE_URL}/articles/${a.id}`));
    const last = await (await test.app.request('/page/4')).text();
    expect(last).toContain(`<a rel="prev" href="${BASE_URL}/page/3">← Newer</a>`);
    expect(await (await test.app.request('/page/2')).text()).toContain(`<link rel="prev" href="${BASE_URL}/">`);
  });

  it('reaches every article of a tag from /tags/{tag}', async () => {
    const articles = corpus(230);
    const test = createTestApp(articles);
    const { pages, articles: linked } = await crawl(test, '/tags/even');
    expect(pages.at(-1)).toBe(`${BASE_URL}/tags/even/page/3`);
    expect(linked).toEqual(articles.filter((_, i) => i % 2 === 0).reverse().map((a) => `${BASE_URL}/articles/${a.id}`));
  });

  it('answers 404 for /page/1 (page 1 is /), past the last page, and numbers that are not plain decimals', async () => {
    const test = createTestApp(corpus(60));
    expect((await test.app.request('/page/2')).status).toBe(200);
    for (const p of ['/page/1', '/page/3', '/page/02', '/page/0', '/page/x', '/tags/even/page/1', '/tags/even/page/2', '/tags/nope/page/2']) {
      expect([p, (await test.app.request(p)).status]).toEqual([p, 404]);
    }
  });

  it('shows no pager when every article fits on one page', async () => {
    const html = await (await createTestApp(corpus(3)).app.request('/')).text();
    expect(html).not.toContain('rel="next"');
    expect(html).not.toContain('class="pager"');
  });
});

describe('/sitemap.xml and /robots.txt', () => {
  it('lists the home page, every tag page and every article page with lastmod, as well-formed XML', async () => {
    const articles = corpus(120);
    const test = createTestApp(articles);
    const res = await test.app.request('/sitemap.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(res.headers.get('etag')).toMatch(/^"/u);
    const xml = await res.text();
    expect(await xmlProblems(xml)).toBe('');
    expect(xml).toContain('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    const locs = sitemapLocs(xml);
    expect(locs).toEqual([`${BASE_URL}/`, `${BASE_URL}/tags/even`, `${BASE_URL}/tags/odd`, ...[...articles].reverse().map((a) => `${BASE_URL}/articles/${a.id}`)]);
    expect(xml).toContain(`<url><loc>${BASE_URL}/articles/p0</loc><lastmod>2021-06-01T00:00:00Z</lastmod></url>`);
    const etag = res.headers.get('etag')!;
    expect((await test.app.request('/sitemap.xml', { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await test.app.request('/sitemaps/1.xml')).status).toBe(404);
  });

  it('becomes a sitemap index of child sitemaps that together list every URL when there are too many for one', async () => {
    const articles = corpus(25);
    const test = createTestApp(articles, { sitemapMaxUrls: 10 });
    const index = await (await test.app.request('/sitemap.xml')).text();
    expect(await xmlProblems(index)).toBe('');
    expect(index).toContain('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    const children = sitemapLocs(index);
    expect(children).toEqual([1, 2, 3].map((n) => `${BASE_URL}/sitemaps/${n}.xml`));
    const locs: string[] = [];
    for (const child of children) {
      const res = await test.app.request(child.slice(BASE_URL.length));
      expect(res.status).toBe(200);
      const xml = await res.text();
      expect(await xmlProblems(xml)).toBe('');
      locs.push(...sitemapLocs(xml));
    }
    expect(locs).toHaveLength(1 + 2 + 25);
    expect(locs.slice(3)).toEqual([...articles].reverse().map((a) => `${BASE_URL}/articles/${a.id}`));
    expect((await test.app.request('/sitemaps/4.xml')).status).toBe(404);
    expect((await test.app.request('/sitemaps/01.xml')).status).toBe(404);
  });

  it('names the sitemap in robots.txt with an absolute URL, and allows everything', async () => {
    const res = await createTestApp(corpus(2)).app.request('/robots.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^User-agent: \*$/mu);
    expect(text).toMatch(/^Allow: \/$/mu);
    expect(text).toMatch(new RegExp(`^Sitemap: ${BASE_URL}/sitemap.xml$`, 'mu'));
  });
});

describe('ResponseCache with many variants per scope', () => {
  it('drops exactly the entries of an invalidated scope, whatever their variants', async () => {
    const cache = new ResponseCache({ generation: 0 });
    const make = (text: string) => async () => prepare(text, 'text/plain', new Date(0));
    for (const variant of ['rss', 'page', 'page-2', 'archive-1-rss', 'archive-9-json']) {
      await cache.get('site', variant, make(variant));
      await cache.get('tag:a b', variant, make(variant));
    }
    await cache.get('article:x y', 'page', make('x'));
    expect(cache.size).toBe(11);
    cache.invalidate(['site']);
    expect(cache.size).toBe(6);
    expect(cache.trackedKeys).toBe(6);
    cache.invalidate(['tag:a b', 'article:x y']);
    expect(cache.size).toBe(0);
    expect(cache.trackedKeys).toBe(0);
  });

  it('drops an entry of several scopes when any of them is invalidated, also after it was recounted', async () => {
    const cache = new ResponseCache({ generation: 0 });
    const make = (text: string) => async () => prepare(text, 'text/plain', new Date(0));
    const scopes = ['combination:a+b', 'tag:a', 'tag:b'];
    const first = await cache.get(scopes, 'rss', make('x'.repeat(5000)));
    await cache.get('tag:b', 'rss', make('b'));
    first!.encoded('gzip');
    cache.recount(first!);
    expect(cache.trackedKeys).toBe(2);
    cache.invalidate(['tag:a']);
    expect(cache.size).toBe(1);
    await cache.get(scopes, 'rss', make('again'));
    cache.invalidate(['tag:b']);
    expect(cache.size).toBe(0);
    expect(cache.trackedKeys).toBe(0);
  });

  it('keeps archive documents under their own bound: a crawl of them evicts no other response', async () => {
    const cache = new ResponseCache({ generation: 0 }, 50_000, undefined, 20_000);
    const make = (text: string, archive = false) => async () => Object.assign(prepare(text, 'text/plain', new Date(0)), archive ? { archive } : {});
    for (const variant of ['rss', 'atom', 'json']) await cache.get('site', variant, make(`${variant} `.repeat(2000)));
    const feedBytes = cache.bytes;
    // Each asked twice (a document is kept from its second request on).
    for (let i = 1; i <= 200; i++) for (const _ of [1, 2]) await cache.get(`tag:t${i % 3}`, `archive-${i}-rss`, make('x'.repeat(3000), true));
    expect(cache.archiveBytes).toBeGreaterThan(0);
    expect(cache.archiveBytes).toBeLessThanOrEqual(20_000);
    // The feeds are all still held, counted as before, and answered without a build.
    expect(cache.bytes - cache.archiveBytes).toBe(feedBytes);
    for (const variant of ['rss', 'atom', 'json']) expect(cache.get('site', variant, async () => undefined)).not.toBeInstanceOf(Promise);
    expect(cache.trackedKeys).toBe(cache.size);
    cache.invalidate(['tag:t0', 'tag:t1']);
    expect(cache.trackedKeys).toBe(cache.size);
    cache.invalidate(['tag:t2']);
    expect(cache.archiveBytes).toBe(0);
    expect(cache.bytes).toBe(feedBytes);
    expect(cache.trackedKeys).toBe(3);
  });

  it('counts a compressed variant of an archive document against the archives\' bound', async () => {
    const cache = new ResponseCache({ generation: 0 }, 50_000, undefined, 20_000);
    let seed = 1;
    const noise = Array.from({ length: 3000 }, () => ((seed = (seed * 48271) % 2147483647) % 36).toString(36)).join('');
    const build = async () => Object.assign(prepare(noise, 'text/plain', new Date(0)), { archive: true });
    await cache.get('site', 'archive-1-rss', build);
    const archive = await cache.get('site', 'archive-1-rss', build);
    const before = cache.archiveBytes;
    expect(before).toBeGreaterThan(0);
    const gzip = archive!.encoded('gzip').length;
    expect(cache.archiveBytes).toBe(before + gzip);
    expect(cache.bytes).toBe(cache.archiveBytes);
  });

  it('keeps an archive document from its second request on: a crawl that reads each once keeps none', async () => {
    const cache = new ResponseCache({ generation: 0 }, 50_000, undefined, 20_000);
    let builds = 0;
    const make = (text: string) => async () => {
      builds++;
      return Object.assign(prepare(text, 'text/plain', new Date(0)), { archive: true });
    };
    for (let i = 1; i <= 100; i++) expect((await cache.get('site', `archive-${i}-rss`, make(`doc ${i} `.repeat(100))))!.body.toString()).toMatch(`doc ${i} `);
    expect([cache.size, cache.archiveBytes, cache.trackedKeys, builds]).toEqual([0, 0, 0, 100]);
    // Asked again: built once more and kept; the third request is answered from the cache, without a build.
    await cache.get('site', 'archive-7-rss', make('doc 7 '.repeat(100)));
    expect([cache.size, builds]).toEqual([1, 101]);
    expect(cache.get('site', 'archive-7-rss', make('other'))).not.toBeInstanceOf(Promise);
    expect(builds).toBe(101);
    // Other responses are kept from their first request, as before.
    await cache.get('site', 'rss', async () => prepare('feed', 'text/plain', new Date(0)));
    expect(cache.size).toBe(2);
  });

  it(`remembers the last ${ARCHIVE_SEEN_KEYS} archive keys asked for once, and no more`, async () => {
    const cache = new ResponseCache({ generation: 0 }, 50_000, undefined, 20_000);
    const make = () => async () => Object.assign(prepare('x', 'text/plain', new Date(0)), { archive: true });
    await cache.get('site', 'archive-0-rss', make());
    for (let i = 1; i <= ARCHIVE_SEEN_KEYS; i++) await cache.get('tag:t', `archive-${i}-rss`, make());
    // archive-0 was pushed out of the keys seen: its second request counts as a first.
    await cache.get('site', 'archive-0-rss', make());
    expect(cache.size).toBe(0);
    await cache.get('tag:t', `archive-${ARCHIVE_SEEN_KEYS}-rss`, make());
    expect(cache.size).toBe(1);
  });

  it('keeps archive documents from their first request when they share the main bound (a static export)', async () => {
    const cache = new ResponseCache({ generation: 0 }, 50_000);
    await cache.get('site', 'archive-1-rss', async () => Object.assign(prepare('x', 'text/plain', new Date(0)), { archive: true }));
    expect(cache.size).toBe(1);
  });

  it('forgets evicted keys, so its bookkeeping stays within the bound', async () => {
    const cache = new ResponseCache({ generation: 0 }, 20_000);
    for (let i = 0; i < 500; i++) await cache.get(`tag:t${i % 7}`, `archive-${i}-rss`, async () => prepare('x'.repeat(1000), 'text/plain', new Date(0)));
    expect(cache.size).toBeLessThan(20);
    expect(cache.trackedKeys).toBe(cache.size);
    cache.invalidate(['tag:t0', 'tag:t1', 'tag:t2', 'tag:t3', 'tag:t4', 'tag:t5', 'tag:t6']);
    expect(cache.size).toBe(0);
    expect(cache.trackedKeys).toBe(0);
  });
});
