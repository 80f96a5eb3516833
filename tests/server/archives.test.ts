/**
 * RFC 5005 archives and JSON Feed paging over a generated corpus: the three chains (prev-archive from
 * /rss.xml and /atom.xml, next_url from /feed.json) visit every article exactly once beside the allowed
 * overlap with the subscription document, for the site and for one tag; every archive document is read
 * back by xmllint, the RFC 4287 schema and the Universal Feed Parser.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.ts';
import { FeedTopics } from '../../src/server/topics.ts';
import type { Article } from '../../src/articles/types.ts';
import { BASE_URL, createArticle, createTestApp, type TestApp } from '../support/factory.ts';
import { atomSchemaProblems, feedparse, xmlProblems } from '../support/readers.ts';

const START = Date.parse('2020-01-01T00:00:00Z');

/** `count` articles an hour apart (oldest first); about 3 in 7 carry #Geopolitics. */
function corpus(count: number): Article[] {
  return Array.from({ length: count }, (_, i) =>
    createArticle({
      id: `a${String(i).padStart(5, '0')}`,
      title: `Article ${i}`,
      date: new Date(START + i * 3600_000),
      contentHtml: `<p>Body of article ${i}.</p>`,
      summary: `Summary ${i}.`,
      tags: i % 7 < 3 ? ['Geopolitics', `T${i % 5}`] : [`T${i % 5}`],
    }),
  );
}

const path = (url: string) => url.slice(BASE_URL.length);

interface Walked {
  /** Item ids of the subscription document. */
  subscription: string[];
  /** Item ids of each archive document, newest archive first, as visited. */
  archives: string[][];
  /** The archive documents visited, by path, with their bodies. */
  documents: Map<string, string>;
}

/** Follows prev-archive (RSS, Atom) from a subscription document, reading each document with feedparser. */
async function walkXml(test: TestApp, start: string, validate: boolean): Promise<Walked> {
  const documents = new Map<string, string>();
  const read = async (p: string) => {
    const res = await test.app.request(p);
    expect([p, res.status]).toEqual([p, 200]);
    const body = await res.text();
    const parsed = await feedparse(body);
    expect(parsed.bozo, `${p}: ${parsed.bozo_exception}`).toBe(false);
    const link = (rel: string) => parsed.feed.links.find((l) => l.rel === rel)?.href;
    return { body, parsed, link, ids: parsed.entries.map((e) => e.id!), headers: res.headers };
  };
  const first = await read(start);
  expect(first.body).not.toContain('fh:archive');
  const archives: string[][] = [];
  let next = first.link('prev-archive');
  let newer: string | undefined;
  while (next) {
    const p = path(next);
    expect(documents.has(p), `${p} visited once`).toBe(false);
    const doc = await read(p);
    documents.set(p, doc.body);
    // RFC 5005 §4: the archive marker and its namespace, current, self, and the links both ways.
    expect(doc.body).toContain('xmlns:fh="http://purl.org/syndication/history/1.0"');
    expect(doc.body).toContain('<fh:archive/>');
    expect(doc.link('current')).toBe(`${BASE_URL}${start}`);
    expect(doc.link('self')).toBe(next);
    expect(doc.link('next-archive')).toBe(newer);
    expect(doc.link('hub')).toBeUndefined();
    expect(doc.headers.get('link')).toBeNull();
    expect(doc.headers.get('cache-control')).toContain('max-age=86400, s-maxage=86400');
    if (validate) {
      expect(await xmlProblems(doc.body), p).toBe('');
      if (start.endsWith('atom.xml')) expect(await atomSchemaProblems(doc.body), p).toBe('');
    }
    archives.push(doc.ids);
    newer = next;
    next = doc.link('prev-archive');
  }
  return { subscription: first.ids, archives, documents };
}

/** Follows next_url from a JSON Feed subscription document. */
async function walkJson(test: TestApp, start: string): Promise<Walked> {
  const documents = new Map<string, string>();
  const read = async (p: string) => {
    const res = await test.app.request(p);
    expect([p, res.status]).toEqual([p, 200]);
    const body = await res.text();
    const json = JSON.parse(body) as { next_url?: string; feed_url: string; hubs?: unknown; items: { id: string }[] };
    return { body, json, ids: json.items.map((i) => i.id) };
  };
  const first = await read(start);
  const archives: string[][] = [];
  let next = first.json.next_url;
  while (next) {
    const p = path(next);
    expect(documents.has(p), `${p} visited once`).toBe(false);
    const doc = await read(p);
    documents.set(p, doc.body);
    expect(doc.json.feed_url).toBe(next);
    expect(doc.json.hubs).toBeUndefined();
    archives.push(doc.ids);
    next = doc.json.next_url;
  }
  return { subscription: first.ids, archives, documents };
}

/**
 * Checks a walk against the feed's articles (ids newest first): each archive holds `size` items, newest
 * first; the archives together hold every article exactly once; the subscription document adds only
 * the articles newer than the newest archive, and may overlap it.
 */
function expectCovers(walk: Walked, expected: string[], size: number, feedLimit: number): void {
  const total = expected.length;
  expect(walk.archives.length).toBe(Math.floor(total / size));
  for (const ids of walk.archives) expect(ids.length).toBe(size);
  const archived = walk.archives.flat();
  expect(new Set(archived).size, 'no article is in two archives').toBe(archived.length);
  // Archives visited newest first, each newest first: their concatenation is the oldest part of the feed.
  expect(archived).toEqual(expected.slice(total - archived.length));
  expect(walk.subscription).toEqual(expected.slice(0, Math.min(feedLimit, total)));
  const union = new Set([...walk.subscription, ...archived]);
  expect([...union].sort()).toEqual([...expected].sort());
  // The overlap is the newest archived articles only (the newest archive, or more when FEED_LIMIT
  // exceeds ARCHIVE_SIZE): each article is in one archive, once.
  const overlap = walk.subscription.filter((id) => archived.includes(id));
  expect(overlap).toEqual(archived.slice(0, overlap.length));
  if (feedLimit === size) expect(overlap.every((id) => (walk.archives[0] ?? []).includes(id))).toBe(true);
}

const idsOf = (articles: Article[]) => [...articles].reverse().map((a) => `${BASE_URL}/articles/${a.id}`);

describe('archived feeds (RFC 5005) and JSON Feed paging', { timeout: 180_000 }, () => {
  it('visits every article exactly once from /rss.xml, /atom.xml and /feed.json with the defaults, every archive valid', async () => {
    const articles = corpus(1200);
    const test = createTestApp(articles);
    expect(test.config.archiveSize).toBe(50);
    const expected = idsOf(articles);
    const rss = await walkXml(test, '/rss.xml', true);
    const atom = await walkXml(test, '/atom.xml', true);
    const json = await walkJson(test, '/feed.json');
    for (const walk of [rss, atom, json]) expectCovers(walk, expected, 50, 50);
    expect(rss.archives).toEqual(json.archives);
    expect(atom.archives).toEqual(json.archives);
    expect([...rss.documents.keys()].at(-1)).toBe('/archive/1/rss.xml');
    expect([...atom.documents.keys()][0]).toBe('/archive/24/atom.xml');
  });

  it('does the same for /tags/geopolitics, which has several archives and a partial page', async () => {
    const articles = corpus(1200);
    const test = createTestApp(articles);
    const tagged = articles.filter((a) => a.tags.some((t) => t.key === 'geopolitics'));
    expect(tagged.length % 50).not.toBe(0);
    const expected = idsOf(tagged);
    const rss = await walkXml(test, '/tags/geopolitics/rss.xml', true);
    const atom = await walkXml(test, '/tags/geopolitics/atom.xml', true);
    const json = await walkJson(test, '/tags/geopolitics/feed.json');
    expect(rss.archives.length).toBeGreaterThan(5);
    for (const walk of [rss, atom, json]) expectCovers(walk, expected, 50, 50);
    expect([...rss.documents.keys()][0]).toBe(`/tags/geopolitics/archive/${Math.floor(tagged.length / 50)}/rss.xml`);
  });

  it('covers every article with small archives and a longer subscription feed, remainder and overlap included', async () => {
    for (const count of [0, 6, 7, 50, 53]) {
      const articles = corpus(count);
      const test = createTestApp(articles, { config: { archiveSize: 7, feedLimit: 10 } });
      const expected = idsOf(articles);
      expectCovers(await walkJson(test, '/feed.json'), expected, 7, 10);
      if (count === 53) expectCovers(await walkXml(test, '/rss.xml', false), expected, 7, 10);
    }
  });

  it('answers 404 for archive numbers that are not plain decimals from 1, past the end, or of unknown tags', async () => {
    const test = createTestApp(corpus(120));
    expect((await test.app.request('/archive/2/rss.xml')).status).toBe(200);
    for (const p of ['/archive/0/rss.xml', '/archive/02/rss.xml', '/archive/3/rss.xml', '/archive/x/atom.xml', '/archive/-1/feed.json', '/archive/1e0/rss.xml', '/archive/1/index.xml', '/tags/nope/archive/1/rss.xml', '/tags/geopolitics/archive/2/rss.xml']) {
      expect([p, (await test.app.request(p)).status]).toEqual([p, 404]);
    }
    expect((await test.app.request('/tags/geopolitics/archive/1/rss.xml')).status).toBe(200);
  });

  it('answers 304 to an archive ETag, and keeps the archive’s bytes when an article dated now arrives', async () => {
    // 350 articles, 150 of them #Geopolitics: whole pages, and one more article completes none.
    const test = createTestApp(corpus(350));
    const paths = ['/archive/1/rss.xml', '/archive/7/atom.xml', '/archive/4/feed.json', '/tags/geopolitics/archive/3/rss.xml', '/tags/geopolitics/archive/1/feed.json'];
    const before = await Promise.all(paths.map(async (p) => (await test.app.request(p)).headers.get('etag')!));
    const again = await test.app.request(paths[0]!, { headers: { 'if-none-match': before[0]! } });
    expect(again.status).toBe(304);
    test.upsert(createArticle({ id: 'fresh', date: new Date(START + 1000 * 3600_000), tags: ['Geopolitics'] }));
    const after = await Promise.all(paths.map(async (p) => (await test.app.request(p)).headers.get('etag')!));
    expect(after).toEqual(before);
    expect(await (await test.app.request('/feed.json')).text()).toContain('/articles/fresh');
  });

  it('is not a WebSub topic: the hub refuses archive URLs', async () => {
    const test = createTestApp(corpus(120));
    const topics = new FeedTopics(test.site.urls, test.index, test.responses);
    expect(topics.resolve(`${BASE_URL}/rss.xml`)).toEqual({ topic: `${BASE_URL}/rss.xml` });
    for (const url of [`${BASE_URL}/archive/1/rss.xml`, `${BASE_URL}/archive/2/feed.json`, `${BASE_URL}/tags/geopolitics/archive/1/atom.xml`]) {
      expect(topics.resolve(url), url).toHaveProperty('reason');
    }
  });
});

describe('readConfig and archives', () => {
  it('refuses an ARCHIVE_SIZE above FEED_LIMIT, naming both', () => {
    expect(() => readConfig({ ARCHIVE_SIZE: '60' }, [])).toThrow(ConfigError);
    expect(() => readConfig({ ARCHIVE_SIZE: '50' }, ['--feed-limit', '20'])).toThrow(/ARCHIVE_SIZE \(50\) is above FEED_LIMIT \(20\)/u);
    // Not given, it follows a lower FEED_LIMIT.
    expect(readConfig({}, ['--feed-limit', '20'])).toMatchObject({ feedLimit: 20, archiveSize: 20 });
    expect(readConfig({}, ['--feed-limit', '20', '--archive-size', '20'])).toMatchObject({ feedLimit: 20, archiveSize: 20, archiveMaxAge: 86400 });
  });
});
