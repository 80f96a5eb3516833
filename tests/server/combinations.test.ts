/** Tag combinations over HTTP: `/tags/a+b/…` (every tag), `/tags/a,b/…` (any tag), one canonical URL each. */
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/types.ts';
import { BASE_URL, createArticle, createTestApp } from '../support/factory.ts';
import { expectSameFeed, type JsonFeed } from '../support/feed-checks.ts';

const day = (n: number) => new Date(Date.UTC(2024, 0, n, 12));

/** Alpha, Beta and Gamma on six articles, one a day: a1 (oldest) … a6 (newest). */
function corpus(): Article[] {
  return [
    createArticle({ id: 'a1', title: 'One', date: day(1), tags: ['Alpha', 'Beta'] }),
    createArticle({ id: 'a2', title: 'Two', date: day(2), tags: ['Gamma'] }),
    createArticle({ id: 'a3', title: 'Three', date: day(3), tags: ['Alpha'] }),
    createArticle({ id: 'a4', title: 'Four', date: day(4), tags: ['Beta', 'Gamma'] }),
    createArticle({ id: 'a5', title: 'Five', date: day(5), tags: ['Alpha', 'Beta', 'Gamma'] }),
    createArticle({ id: 'a6', title: 'Six', date: day(6), tags: ['Delta'] }),
  ];
}

const ids = (feed: JsonFeed) => feed.items.map((i) => i.id.slice(`${BASE_URL}/articles/`.length));

async function get(test: ReturnType<typeof createTestApp>, path: string) {
  const res = await test.app.request(path);
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

describe('tag combinations', () => {
  it('serves the articles carrying every tag of a+b, newest first, whatever the order and casing asked', async () => {
    const test = createTestApp(corpus());
    const canonical = await get(test, '/tags/alpha+beta/feed.json');
    expect(canonical.status).toBe(200);
    expect(ids(JSON.parse(canonical.body) as JsonFeed)).toEqual(['a5', 'a1']);
    for (const other of ['/tags/beta+alpha/feed.json', '/tags/Beta+Alpha/feed.json', '/tags/alpha%2Bbeta/feed.json', '/tags/%23Alpha+beta/feed.json']) {
      const res = await test.app.request(other);
      if (res.status === 301) {
        expect(res.headers.get('location')).toBe(`${BASE_URL}/tags/alpha+beta/feed.json`);
        const followed = await get(test, res.headers.get('location')!.slice(BASE_URL.length));
        expect(followed.body).toBe(canonical.body);
      } else {
        expect([other, res.status]).toEqual([other, 200]);
        expect(await res.text()).toBe(canonical.body);
      }
    }
    expect((await test.app.request('/tags/beta+alpha/feed.json')).status).toBe(301);
  });

  it('redirects every other spelling of the canonical segment to it, percent-encoded joiners and letters included', async () => {
    const test = createTestApp(corpus());
    for (const [asked, canonical] of [
      ['/tags/alpha%2Bbeta/rss.xml', '/tags/alpha+beta/rss.xml'],
      ['/tags/alpha%2Cbeta/feed.json', '/tags/alpha,beta/feed.json'],
      ['/tags/alph%61+beta/atom.xml', '/tags/alpha+beta/atom.xml'],
      ['/tags/alpha%2bbeta', '/tags/alpha+beta'],
    ]) {
      const res = await test.app.request(asked!);
      expect([asked, res.status, res.headers.get('location')]).toEqual([asked, 301, `${BASE_URL}${canonical}`]);
      expect((await test.app.request(canonical!)).status, canonical).toBe(200);
    }
  });

  it('serves the articles carrying any tag of a,b, newest first, each once', async () => {
    const test = createTestApp(corpus());
    const or = await get(test, '/tags/alpha,gamma/feed.json');
    expect(or.status).toBe(200);
    expect(ids(JSON.parse(or.body) as JsonFeed)).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
    expect((await get(test, '/tags/gamma%2Calpha/feed.json')).location).toBe(`${BASE_URL}/tags/alpha,gamma/feed.json`);
  });

  it('writes RSS and Atom of both kinds that validate, read back alike, with the canonical self link', async () => {
    const test = createTestApp(corpus());
    for (const segment of ['alpha+beta', 'alpha,gamma']) {
      const base = `/tags/${segment}`;
      const bodies = { rss: (await get(test, `${base}/rss.xml`)).body, atom: (await get(test, `${base}/atom.xml`)).body, json: (await get(test, `${base}/feed.json`)).body };
      const { json, rss, atom } = await expectSameFeed(bodies);
      expect(json.feed_url).toBe(`${BASE_URL}${base}/feed.json`);
      expect(rss.feed.links.find((l) => l.rel === 'self')?.href).toBe(`${BASE_URL}${base}/rss.xml`);
      expect(atom.feed.links.find((l) => l.rel === 'self')?.href).toBe(`${BASE_URL}${base}/atom.xml`);
      expect(bodies.rss).not.toContain('prev-archive');
      expect(bodies.atom).not.toContain('prev-archive');
    }
  });

  it('answers a 4xx with a reason for an unknown tag in an AND, too many tags, an empty part or mixed joiners', async () => {
    const test = createTestApp(corpus());
    expect((await get(test, '/tags/alpha+nosuch/feed.json')).status).toBe(404);
    const nine = await get(test, `/tags/${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].join('+')}/rss.xml`);
    expect(nine.status).toBe(400);
    expect(nine.body).toMatch(/at most 4 tags/u);
    expect((await get(test, '/tags/alpha++beta/atom.xml')).status).toBe(400);
    expect((await get(test, '/tags/alpha+beta,gamma/atom.xml')).status).toBe(400);
    expect((await get(test, '/tags/alpha,beta,delta,gamma/feed.json')).status).toBe(200);
  });

  it('serves the known tags of an OR, and a 404 only when none is known', async () => {
    const test = createTestApp(corpus());
    const some = await get(test, '/tags/delta,nosuch/feed.json');
    expect(some.status).toBe(200);
    expect(ids(JSON.parse(some.body) as JsonFeed)).toEqual(['a6']);
    expect((await get(test, '/tags/nope,nosuch/feed.json')).status).toBe(404);
  });

  it('has a page with autodiscovery of its three feeds', async () => {
    const test = createTestApp(corpus());
    const page = await get(test, '/tags/alpha+beta');
    expect(page.status).toBe(200);
    for (const [type, file] of [['application/rss+xml', 'rss.xml'], ['application/atom+xml', 'atom.xml'], ['application/feed+json', 'feed.json']]) {
      expect(page.body).toMatch(new RegExp(`<link rel="alternate" type="${type.replace('+', '\\+')}" title="[^"]+" href="${BASE_URL}/tags/alpha\\+beta/${file}">`, 'u'));
    }
    expect(page.body).toContain(`${BASE_URL}/articles/a5`);
    expect(page.body).not.toContain(`${BASE_URL}/articles/a3`);
    expect((await get(test, '/tags/Beta+alpha')).location).toBe(`${BASE_URL}/tags/alpha+beta`);
  });

  it('drops a cached combination when an article of any of its tags changes', async () => {
    const test = createTestApp(corpus());
    expect(ids(JSON.parse((await get(test, '/tags/alpha+beta/feed.json')).body) as JsonFeed)).toEqual(['a5', 'a1']);
    test.upsert(createArticle({ id: 'a7', title: 'Seven', date: day(7), tags: ['Beta', 'Alpha'] }));
    expect(ids(JSON.parse((await get(test, '/tags/alpha+beta/feed.json')).body) as JsonFeed)).toEqual(['a7', 'a5', 'a1']);
    // a1 loses Alpha: a change the combination sees through the scope of one of its tags.
    test.upsert(createArticle({ id: 'a1', title: 'One', date: day(1), tags: ['Beta'] }));
    expect(ids(JSON.parse((await get(test, '/tags/alpha+beta/feed.json')).body) as JsonFeed)).toEqual(['a7', 'a5']);
  });
});
