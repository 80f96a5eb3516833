import { XMLParser } from 'fast-xml-parser';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { expectSameFeed, type JsonFeed } from '../support/feed-checks.ts';
import {
  copyValidFixtures,
  createArticle,
  createFolderApp,
  createTestApp,
  makeTempDir,
  removeTempDir,
  type TestApp,
} from '../support/factory.ts';
import { xmlProblems } from '../support/readers.ts';

const TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  opml: 'text/x-opml; charset=utf-8',
};
const FEEDS = [
  ['rss.xml', TYPES.rss],
  ['atom.xml', TYPES.atom],
  ['feed.json', TYPES.json],
] as const;

/** The path of an absolute URL of the test site. */
const pathOf = (url: string) => new URL(url).pathname;

async function getText(app: Hono, path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers });
  return { res, body: await res.text() };
}

async function feeds(app: Hono, prefix = '') {
  const [rss, atom, json] = await Promise.all(FEEDS.map(async ([file]) => (await getText(app, `${prefix}/${file}`)).body));
  return { rss: rss!, atom: atom!, json: json! };
}

describe('createApp over the fixture articles', { timeout: 30_000 }, () => {
  let dir: string;
  let site: TestApp & { loadErrors: string[] };
  let app: Hono;

  beforeAll(async () => {
    dir = await makeTempDir();
    await copyValidFixtures(dir);
    site = await createFolderApp(dir);
    app = site.app;
  });
  afterAll(() => removeTempDir(dir));

  it('loads every fixture without an error', () => {
    expect(site.loadErrors).toEqual([]);
    // Every valid fixture but the draft is public.
    expect(site.index.size).toBe(10);
  });

  describe('routes and content types', () => {
    it.each([
      ['/', TYPES.html],
      ['/rss.xml', TYPES.rss],
      ['/atom.xml', TYPES.atom],
      ['/feed.json', TYPES.json],
      ['/tags', TYPES.html],
      ['/tags.opml', TYPES.opml],
      ['/tags/venezuela', TYPES.html],
      ['/tags/venezuela/rss.xml', TYPES.rss],
      ['/tags/venezuela/atom.xml', TYPES.atom],
      ['/tags/venezuela/feed.json', TYPES.json],
      ['/articles/front-matter', TYPES.html],
      ['/articles/a%C3%B1o%20nuevo', TYPES.html],
    ])('serves %s as %s', async (path, type) => {
      const { res, body } = await getText(app, path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(body.length).toBeGreaterThan(100);
    });

    it.each(['/tags/nope', '/tags/nope/rss.xml', '/tags/nope/atom.xml', '/tags/nope/feed.json', '/tags/draftonlytag/rss.xml'])(
      'answers an unknown tag (%s) with 404 and a short plain-text message',
      async (path) => {
        const { res, body } = await getText(app, path);
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(body).toMatch(/^Unknown tag: /);
        expect(body.length).toBeLessThan(120);
      },
    );

    it.each(['/nope', '/articles/nope', '/rss', '/tags/venezuela/rss.json', '/feed.xml'])('answers %s with 404', async (path) => {
      const { res } = await getText(app, path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    });
  });

  describe('feeds', () => {
    it('serves the site in three formats that say the same, newest first', async () => {
      const { json } = await expectSameFeed(await feeds(app));
      expect(json.items.map((i) => pathOf(i.url))).toEqual([
        // Without a front-matter date: dated by file time (May 2024, hours apart, in name order).
        '/articles/000_66bcc8fb033b93b3',
        '/articles/crlf-plain',
        '/articles/plain-mtime',
        // Front-matter dates, March 2024.
        '/articles/front-matter',
        '/articles/markdown-article',
        '/articles/unicode-tags',
        '/articles/blank-lines',
        '/articles/crlf-bom',
        '/articles/control-characters',
        '/articles/a%C3%B1o%20nuevo',
      ]);
    });

    it('serves a tag feed with exactly the articles that carry the tag', async () => {
      const { json } = await expectSameFeed(await feeds(app, '/tags/venezuela'));
      expect(json.items.map((i) => pathOf(i.url))).toEqual([
        '/articles/000_66bcc8fb033b93b3',
        '/articles/plain-mtime',
        '/articles/front-matter',
        '/articles/markdown-article',
        '/articles/crlf-bom',
      ]);
      for (const item of json.items) expect((item.tags ?? []).map((t) => t.toLowerCase())).toContain('venezuela');
    });

    it('serves the Unicode tags in three formats', async () => {
      for (const key of ['espana', '%E6%97%A5%E6%9C%AC', '%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1', 'sao_paulo']) {
        const { json } = await expectSameFeed(await feeds(app, `/tags/${key}`));
        expect(json.items.length, key).toBeGreaterThan(0);
      }
    });

    it.each([
      ['/tags/Venezuela/rss.xml', '/tags/venezuela/rss.xml'],
      ['/tags/VENEZUELA/atom.xml', '/tags/venezuela/atom.xml'],
      ['/tags/%23Venezuela/feed.json', '/tags/venezuela/feed.json'],
      ['/tags/espa%C3%B1a/rss.xml', '/tags/espana/rss.xml'],
      ['/tags/Espa%C3%B1a/feed.json', '/tags/espana/feed.json'],
      ['/tags/ESPAN%CC%83A/atom.xml', '/tags/espana/atom.xml'],
      ['/tags/%CE%95%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1/rss.xml', '/tags/%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1/rss.xml'],
      ['/tags/S%C3%A3o_Paulo', '/tags/sao_paulo'],
      ['/tags/%EF%BC%B6enezuela', '/tags/venezuela'],
    ])('finds a tag by any casing or accents: %s', async (path, canonical) => {
      const [given, expected] = await Promise.all([getText(app, path), getText(app, canonical)]);
      expect(given.res.status).toBe(200);
      expect(given.body).toBe(expected.body);
    });

    it('keeps the author’s casing of a tag in feeds, whatever casing the URL used', async () => {
      const json = JSON.parse((await getText(app, '/tags/VENEZUELA/feed.json')).body) as JsonFeed;
      expect(json.title).toBe('Tagfeeds: #Venezuela');
      expect(json.feed_url).toBe('http://feeds.example/tags/venezuela/feed.json');
    });

    it('sends no draft anywhere', async () => {
      const paths = ['/', '/rss.xml', '/atom.xml', '/feed.json', '/tags', '/tags.opml', '/tags/venezuela/feed.json', '/tags/venezuela'];
      for (const path of paths) expect((await getText(app, path)).body, path).not.toContain('DRAFT-MARKER');
      expect((await getText(app, '/articles/draft')).res.status).toBe(404);
      expect((await getText(app, '/tags/draftonlytag')).res.status).toBe(404);
    });

    it('links every item to an HTML page that answers 200', async () => {
      for (const prefix of ['', '/tags/venezuela', '/tags/espana']) {
        const json = JSON.parse((await getText(app, `${prefix}/feed.json`)).body) as JsonFeed;
        for (const item of json.items) {
          const { res, body } = await getText(app, pathOf(item.url));
          expect(res.status, item.url).toBe(200);
          expect(res.headers.get('content-type')).toBe(TYPES.html);
          expect(body).toContain(`<link rel="canonical" href="${item.url}">`);
        }
      }
    });
  });

  describe('pages', () => {
    it('announces the three site feeds on the home page for autodiscovery', async () => {
      const { body } = await getText(app, '/');
      const links = Array.from(body.matchAll(/<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)">/g), (m) => [m[1], m[2]]);
      expect(links).toEqual([
        ['application/rss+xml', 'http://feeds.example/rss.xml'],
        ['application/atom+xml', 'http://feeds.example/atom.xml'],
        ['application/feed+json', 'http://feeds.example/feed.json'],
      ]);
    });

    it('announces a tag’s own feeds on its page', async () => {
      const { body } = await getText(app, '/tags/Espa%C3%B1a');
      const hrefs = Array.from(body.matchAll(/<link rel="alternate" type="[^"]+" title="[^"]*" href="([^"]+)">/g), (m) => m[1]);
      expect(hrefs).toEqual([
        'http://feeds.example/tags/espana/rss.xml',
        'http://feeds.example/tags/espana/atom.xml',
        'http://feeds.example/tags/espana/feed.json',
      ]);
      expect(body).toContain('<h1>#España</h1>');
    });

    it('lists every tag with its article count', async () => {
      const { body } = await getText(app, '/tags');
      const counts = Object.fromEntries(Array.from(body.matchAll(/<li><a href="[^"]*\/tags\/([^"]+)">#[^<]*<\/a> \((\d+)\)<\/li>/g), (m) => [decodeURIComponent(m[1]!), Number(m[2])]));
      expect(counts).toMatchObject({ venezuela: 5, geopolitics: 3, espana: 2, crlf: 2, 日本: 1, markdown: 1 });
      expect(counts).not.toHaveProperty('draftonlytag');
      expect(Object.keys(counts)).toHaveLength(site.index.tagCount);
    });

    it('escapes an article’s title on its page', async () => {
      const { body } = await getText(app, '/articles/front-matter');
      expect(body).toContain('Front matter gives the title: &lt;not markup&gt; &amp; more');
      expect(body).not.toContain('<not markup>');
    });
  });

  describe('the OPML', () => {
    it('is XML with the site feed and one outline per tag', async () => {
      const { body } = await getText(app, '/tags.opml');
      expect(await xmlProblems(body)).toBe('');
      const opml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(body);
      const tagOutlines = opml.opml.body.outline[1].outline as Record<string, string>[];
      expect(tagOutlines).toHaveLength(site.index.tagCount);
      expect(new Set(tagOutlines.map((o) => o.xmlUrl)).size).toBe(tagOutlines.length);
      for (const outline of tagOutlines) {
        expect(outline.type).toBe('rss');
        const { res } = await getText(app, pathOf(outline.xmlUrl!));
        expect(res.status, outline.xmlUrl).toBe(200);
      }
    });
  });
});

describe('conditional GET, HEAD, compression and caching headers', { timeout: 30_000 }, () => {
  const articles = () => [
    createArticle({ id: 'oil-1', date: new Date('2024-05-01T09:30:00Z'), tags: ['Oil'], contentHtml: `<p>${'Oil. '.repeat(400)}</p>` }),
    createArticle({ id: 'gas-1', date: new Date('2024-04-01T09:30:00Z'), tags: ['Gas'], contentHtml: `<p>${'Gas. '.repeat(400)}</p>` }),
  ];

  it('sends a strong ETag, Last-Modified and Cache-Control with every feed', async () => {
    const { app } = createTestApp(articles());
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json', '/tags/oil/rss.xml', '/', '/tags', '/tags.opml', '/articles/oil-1']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('etag'), path).toMatch(/^"[^"]+"$/);
      expect(res.headers.get('last-modified'), path).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect(res.headers.get('cache-control'), path).toBe('public, max-age=300, s-maxage=300, stale-while-revalidate=60');
    }
    expect((await app.request('/rss.xml')).headers.get('last-modified')).toBe('Wed, 01 May 2024 09:30:00 GMT');
  });

  it('takes the Cache-Control times from the configuration', async () => {
    const { app } = createTestApp(articles(), { config: { cacheMaxAge: 60, cacheSMaxAge: 600, cacheStaleWhileRevalidate: 5 } });
    expect((await app.request('/atom.xml')).headers.get('cache-control')).toBe('public, max-age=60, s-maxage=600, stale-while-revalidate=5');
  });

  it('answers If-None-Match with 304 and no body, and a changed ETag with 200', async () => {
    const { app } = createTestApp(articles());
    const first = await app.request('/tags/oil/atom.xml');
    const etag = first.headers.get('etag')!;
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await app.request('/tags/oil/atom.xml', { headers: { 'If-None-Match': value } });
      expect(res.status, value).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
    }
    const stale = await app.request('/tags/oil/atom.xml', { headers: { 'If-None-Match': '"something-else"' } });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(await first.text());
  });

  it('answers If-Modified-Since with 304 when no If-None-Match is sent and it names the Last-Modified exactly', async () => {
    const { app } = createTestApp(articles());
    const lastModified = (await app.request('/rss.xml')).headers.get('last-modified')!;
    expect((await app.request('/rss.xml', { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
    // A later date is not enough (see currentCoding in http.ts): the Last-Modified can move back.
    expect((await app.request('/rss.xml', { headers: { 'If-Modified-Since': 'Thu, 02 May 2024 00:00:00 GMT' } })).status).toBe(200);
    expect((await app.request('/rss.xml', { headers: { 'If-Modified-Since': 'Tue, 30 Apr 2024 00:00:00 GMT' } })).status).toBe(200);
    expect((await app.request('/rss.xml', { headers: { 'If-Modified-Since': 'not a date' } })).status).toBe(200);
  });

  it('sends the new document to a client holding the Last-Modified of one that showed an article since deleted', async () => {
    const test = createTestApp(articles());
    const before = await test.app.request('/rss.xml');
    const held = before.headers.get('last-modified')!;
    const newest = test.index.latest(1)[0]!;
    test.index.removeFile(newest.file);
    const after = await test.app.request('/rss.xml');
    // The feed's newest change is now older than the one the client holds.
    expect(Date.parse(after.headers.get('last-modified')!)).toBeLessThan(Date.parse(held));
    const revalidated = await test.app.request('/rss.xml', { headers: { 'If-Modified-Since': held } });
    expect(revalidated.status).toBe(200);
    expect(await revalidated.text()).not.toContain(`/articles/${newest.id}<`);
    expect(await before.text()).toContain(`/articles/${newest.id}<`);
  });

  it('lets If-None-Match win over If-Modified-Since', async () => {
    const { app } = createTestApp(articles());
    const res = await app.request('/feed.json');
    const etag = res.headers.get('etag')!;
    const lastModified = res.headers.get('last-modified')!;
    const changed = await app.request('/feed.json', { headers: { 'If-None-Match': '"old"', 'If-Modified-Since': lastModified } });
    expect(changed.status).toBe(200);
    const current = await app.request('/feed.json', { headers: { 'If-None-Match': etag, 'If-Modified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' } });
    expect(current.status).toBe(304);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const { app } = createTestApp(articles());
    const get = await app.request('/tags/gas/rss.xml');
    const head = await app.request('/tags/gas/rss.xml', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const name of ['content-type', 'etag', 'last-modified', 'cache-control', 'content-length']) {
      expect(head.headers.get(name), name).toBe(get.headers.get(name));
    }
    expect(Number(get.headers.get('content-length'))).toBe(Buffer.byteLength(await get.text()));
    const conditional = await app.request('/tags/gas/rss.xml', { method: 'HEAD', headers: { 'If-None-Match': get.headers.get('etag')! } });
    expect(conditional.status).toBe(304);
  });

  it('compresses with gzip or br when asked, to the same bytes', async () => {
    const { app } = createTestApp(articles());
    const plain = await app.request('/rss.xml');
    const identity = Buffer.from(await plain.arrayBuffer());
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toMatch(/accept-encoding/i);

    const gzip = await app.request('/rss.xml', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    const gzipped = Buffer.from(await gzip.arrayBuffer());
    expect(gzipped.length).toBeLessThan(identity.length);
    expect(Number(gzip.headers.get('content-length'))).toBe(gzipped.length);
    expect(gunzipSync(gzipped).equals(identity)).toBe(true);

    const br = await app.request('/rss.xml', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).equals(identity)).toBe(true);

    const refused = await app.request('/rss.xml', { headers: { 'Accept-Encoding': 'br;q=0, gzip' } });
    expect(refused.headers.get('content-encoding')).toBe('gzip');
    const none = await app.request('/rss.xml', { headers: { 'Accept-Encoding': 'identity' } });
    expect(none.headers.get('content-encoding')).toBeNull();
  });

  it('gives each coding its own ETag, and any of them gets a 304', async () => {
    const { app } = createTestApp(articles());
    const plain = (await app.request('/atom.xml')).headers.get('etag')!;
    const gzip = (await app.request('/atom.xml', { headers: { 'Accept-Encoding': 'gzip' } })).headers.get('etag')!;
    expect(gzip).not.toBe(plain);
    expect((await app.request('/atom.xml', { headers: { 'If-None-Match': gzip } })).status).toBe(304);
    expect((await app.request('/atom.xml', { headers: { 'If-None-Match': plain, 'Accept-Encoding': 'gzip' } })).status).toBe(304);
  });

  it('answers 412 when If-Match or If-Unmodified-Since names another version (RFC 9110 §13.2.2)', async () => {
    const { app } = createTestApp(articles());
    const first = await app.request('/rss.xml', { headers: { 'Accept-Encoding': 'gzip' } });
    const gzip = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    const status = async (headers: Record<string, string>) => (await app.request('/rss.xml', { headers })).status;
    expect(await status({ 'If-Match': gzip })).toBe(200);
    expect(await status({ 'If-Match': `"nope", ${gzip}` })).toBe(200);
    expect(await status({ 'If-Match': '*' })).toBe(200);
    expect(await status({ 'If-Match': '"nope"' })).toBe(412);
    expect(await status({ 'If-Match': `W/${gzip}` })).toBe(412); // strong comparison
    expect(await status({ 'If-Unmodified-Since': lastModified })).toBe(200);
    expect(await status({ 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' })).toBe(412);
    expect(await status({ 'If-Unmodified-Since': 'not a date' })).toBe(200);
    // If-Match decides alone when sent.
    expect(await status({ 'If-Match': gzip, 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' })).toBe(200);
    const failed = await app.request('/rss.xml', { headers: { 'If-Match': '"nope"' } });
    expect(failed.headers.get('etag')).toBeNull();
    expect(failed.headers.get('cache-control')).toBeNull();
    expect(failed.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('names in a 304 the ETag the client holds, so that a cache updates the copy it has', async () => {
    const { app } = createTestApp(articles());
    const plain = (await app.request('/atom.xml')).headers.get('etag')!;
    const gzip = (await app.request('/atom.xml', { headers: { 'Accept-Encoding': 'gzip' } })).headers.get('etag')!;
    const br = (await app.request('/atom.xml', { headers: { 'Accept-Encoding': 'br' } })).headers.get('etag')!;
    for (const [held, accept, expected] of [
      [gzip, undefined, gzip], // held gzip, now asks for no coding
      [plain, 'gzip', plain],
      [`W/${gzip}`, 'br', gzip],
      [`"nope", ${br}`, undefined, br],
      // Several held: the one for the coding chosen now.
      [`${plain}, ${gzip}`, 'gzip', gzip],
      [`${gzip}, ${br}`, 'br', br],
      ['*', 'gzip', gzip],
    ] as const) {
      const res = await app.request('/atom.xml', { headers: { 'If-None-Match': held, ...(accept ? { 'Accept-Encoding': accept } : {}) } });
      expect([held, accept, res.status, res.headers.get('etag')]).toEqual([held, accept, 304, expected]);
    }
  });

  it('moves the Last-Modified and ETag of a tag feed with that tag’s articles only', async () => {
    const test = createTestApp(articles());
    const snapshot = async () => {
      const out: Record<string, [string | null, string | null]> = {};
      for (const path of ['/tags/oil/rss.xml', '/tags/gas/rss.xml', '/tags/gas/feed.json', '/rss.xml']) {
        const res = await test.app.request(path);
        out[path] = [res.headers.get('last-modified'), res.headers.get('etag')];
      }
      return out;
    };
    const before = await snapshot();
    expect(before['/tags/oil/rss.xml']![0]).toBe('Wed, 01 May 2024 09:30:00 GMT');
    expect(before['/tags/gas/rss.xml']![0]).toBe('Mon, 01 Apr 2024 09:30:00 GMT');

    test.upsert(
      createArticle({
        id: 'oil-1',
        date: new Date('2024-05-01T09:30:00Z'),
        updated: new Date('2024-06-01T12:00:00Z'),
        title: 'Oil, revised',
        tags: ['Oil'],
      }),
    );
    const after = await snapshot();
    expect(after['/tags/oil/rss.xml']![0]).toBe('Sat, 01 Jun 2024 12:00:00 GMT');
    expect(after['/tags/oil/rss.xml']![1]).not.toBe(before['/tags/oil/rss.xml']![1]);
    expect(after['/rss.xml']![0]).toBe('Sat, 01 Jun 2024 12:00:00 GMT');
    expect(after['/tags/gas/rss.xml']).toEqual(before['/tags/gas/rss.xml']);
    expect(after['/tags/gas/feed.json']).toEqual(before['/tags/gas/feed.json']);
  });

  it('serves the same ETag from two apps over the same articles', async () => {
    const a = createTestApp(articles());
    const b = createTestApp(articles());
    for (const path of ['/rss.xml', '/tags/oil/atom.xml', '/feed.json']) {
      expect((await a.app.request(path)).headers.get('etag')).toBe((await b.app.request(path)).headers.get('etag'));
    }
  });

  it('limits feeds to the configured number of items, newest first', async () => {
    const many = Array.from({ length: 7 }, (_, i) => createArticle({ id: `n${i}`, date: new Date(Date.UTC(2024, 0, i + 1)), tags: ['Many'] }));
    const { app } = createTestApp(many, { config: { feedLimit: 3 } });
    for (const path of ['/feed.json', '/tags/many/feed.json']) {
      const json = JSON.parse(await (await app.request(path)).text()) as JsonFeed;
      expect(json.items.map((i) => pathOf(i.url)), path).toEqual(['/articles/n6', '/articles/n5', '/articles/n4']);
    }
  });

  it('serves an empty site with empty, well-formed feeds', async () => {
    const { app } = createTestApp([]);
    const bodies = await feeds(app);
    const { json } = await expectSameFeed(bodies);
    expect(json.items).toEqual([]);
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/tags.opml')).status).toBe(200);
  });
});
