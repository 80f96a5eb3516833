import { describe, expect, it } from 'vitest';
import { purgeKeys, responseKeys, scopeKey } from '../../src/server/surrogate-keys.ts';
import { createArticle, createTestApp } from '../support/factory.ts';

const sample = () => [
  createArticle({ id: 'gas-prices', tags: ['Gas', 'Venezuela'] }),
  createArticle({ id: 'tokyo', tags: ['日本'] }),
  createArticle({ id: 'oil', tags: ['Oil'] }),
];

describe('scopeKey', () => {
  it.each([
    ['site', 'site'],
    ['tags', 'tags'],
    ['tag:venezuela', 't-venezuela'],
    ['article:gas-prices', 'a-gas-prices'],
  ])('names the scope %s by the readable key %s', (scope, key) => {
    expect(scopeKey(scope)).toBe(key);
  });

  it('names a tag that is not plain ASCII by a short hash that a header can carry', () => {
    const key = scopeKey('tag:日本');
    expect(key).toMatch(/^th-[A-Za-z0-9_-]{16}$/u);
    expect(scopeKey('tag:日本')).toBe(key);
    expect(scopeKey('tag:中国')).not.toBe(key);
  });

  it('keeps hashed and readable keys apart, and never puts a space or comma in a key', () => {
    for (const scope of ['tag:c++', 'tag:a b', 'tag:x,y', `tag:${'a'.repeat(65)}`, 'article:Ünïcode', 'tag:"q"']) {
      expect(scopeKey(scope)).toMatch(/^[ta]h-[A-Za-z0-9_-]{16}$/u);
    }
  });
});

describe('purgeKeys', () => {
  it('maps the scopes of a change to the keys of exactly the responses it changed', () => {
    expect(purgeKeys(new Set(['site', 'tags', 'tag:venezuela', 'article:new']))).toEqual(['site', 'tags', 't-venezuela', 'a-new']);
  });
});

describe('Surrogate-Key on responses', () => {
  it.each([
    ['/rss.xml', 'all site'],
    ['/', 'all site'],
    ['/sitemap.xml', 'all site'],
    ['/tags/venezuela/atom.xml', 'all t-venezuela'],
    ['/tags/Venezuela', 'all t-venezuela'],
    ['/tags', 'all tags'],
    // The OPML lists the authors too.
    ['/tags.opml', 'all tags authors'],
    ['/articles/gas-prices', 'all a-gas-prices'],
    ['/robots.txt', 'all fixed'],
  ])('names on %s the scope the response depends on', async (path, keys) => {
    const { app } = createTestApp(sample());
    const res = await app.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('surrogate-key')).toBe(keys);
    expect(res.headers.get('cache-tag')).toBeNull();
  });

  it('names on a tag combination the key of each of its tags, so a change to any of them purges it', async () => {
    const { app } = createTestApp(sample());
    for (const path of ['/tags/gas+venezuela/feed.json', '/tags/gas,oil/rss.xml', '/tags/gas+venezuela']) {
      const keys = (await app.request(path)).headers.get('surrogate-key')!.split(' ');
      const tags = path.includes('oil') ? ['t-gas', 't-oil'] : ['t-gas', 't-venezuela'];
      expect(keys, path).toEqual(expect.arrayContaining(['all', ...tags]));
    }
  });

  it('names on an author\'s feeds and page the author\'s key', async () => {
    const { app } = createTestApp([createArticle({ id: 'by-ana', author: 'Ana Pérez', tags: ['Gas'] })]);
    for (const path of ['/authors/ana-perez/rss.xml', '/authors/ana-perez']) {
      expect((await app.request(path)).headers.get('surrogate-key'), path).toBe('all author-ana-perez');
    }
  });

  it('carries the keys on a 304 too, so a cache revalidating keeps them', async () => {
    const { app } = createTestApp(sample());
    const first = await app.request('/tags/oil/rss.xml');
    const again = await app.request('/tags/oil/rss.xml', { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('surrogate-key')).toBe('all t-oil');
  });

  it('gives a tag in Japanese a hashed ASCII key', async () => {
    const { app } = createTestApp(sample());
    const res = await app.request(`/tags/${encodeURIComponent('日本')}/feed.json`);
    expect(res.headers.get('surrogate-key')).toBe(`all ${scopeKey('tag:日本')}`);
  });

  it('adds Cache-Tag and Cache-Groups when CACHE_TAG_HEADERS asks for them', async () => {
    const { app } = createTestApp(sample(), { config: { cacheTagHeaders: ['cache-tag', 'cache-groups'] } });
    const res = await app.request('/tags/gas/rss.xml');
    expect(res.headers.get('cache-tag')).toBe('all,t-gas');
    expect(res.headers.get('cache-groups')).toBe('"all", "t-gas"');
  });

  it('marks archive documents with the archive key besides their scope', () => {
    expect(responseKeys('tag:gas', true)).toEqual(['all', 't-gas', 'archive']);
  });

  it('carries the keys on the first answer of an archive document, which the cache keeps only from its second', async () => {
    const articles = Array.from({ length: 6 }, (_, i) => createArticle({ id: `a${i}`, tags: ['Gas'], date: new Date(Date.UTC(2024, 0, 1 + i)) }));
    const { app } = createTestApp(articles, { config: { feedLimit: 2, archiveSize: 2 } });
    for (const [path, keys] of [['/archive/1/rss.xml', 'all site archive'], ['/tags/gas/archive/2/atom.xml', 'all t-gas archive']]) {
      const first = await app.request(path!);
      expect(first.status).toBe(200);
      expect(first.headers.get('surrogate-key'), path).toBe(keys);
      expect((await app.request(path!)).headers.get('surrogate-key')).toBe(keys);
    }
  });

  it('leaves a 404 without keys, so caches that store only keyed responses never keep it', async () => {
    const { app } = createTestApp(sample());
    const res = await app.request('/tags/nothing/rss.xml');
    expect(res.status).toBe(404);
    expect(res.headers.get('surrogate-key')).toBeNull();
  });
});

describe('the keys a change purges', () => {
  it('are the site, the tag list and the new article\'s tags, and no other tag', () => {
    const test = createTestApp(sample());
    const changes: string[][] = [];
    test.index.onChange((scopes) => changes.push(purgeKeys(scopes)));
    test.upsert(createArticle({ id: 'caracas', tags: ['Venezuela'] }));
    expect(changes).toHaveLength(1);
    // `authors`: the list of authors and the OPML count every article (one without an author too).
    expect(new Set(changes[0])).toEqual(new Set(['site', 'tags', 'authors', 't-venezuela', 'a-caracas']));
  });
});
